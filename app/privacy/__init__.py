"""Privacy: the audit log, Māori and Pasifika data governance, and (later) data rights."""
