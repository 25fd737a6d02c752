"""Privacy: the audit log, and (later) data rights. Māori and Pasifika data governance is
app.governance."""
