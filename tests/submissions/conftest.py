"""Fixtures for the submissions tests (helpers live in submission_support.py)."""
from submission_support import analyst, make_form, submitter  # noqa: F401  (fixtures)
