"""Analysis: codebook, coding and automatic themes. Reads the corpus (app.corpus) only."""
