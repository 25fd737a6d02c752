"""Reports: themed reports and exports. Read analysis and the corpus (app.corpus) only."""
