"""Browser tests (Chromium via Playwright); see conftest.py."""
