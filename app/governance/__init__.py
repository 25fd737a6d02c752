"""Māori and Pasifika data governance: groups, their kaitiaki, and their decisions on how the
group's data may be used (quoted, broken down) in each consultation."""
