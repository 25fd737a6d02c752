"""Structured written submissions."""
