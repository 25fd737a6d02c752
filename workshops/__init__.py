"""Workshop scheduling and interview notes."""
