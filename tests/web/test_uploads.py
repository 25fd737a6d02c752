"""MAX_UPLOAD_MB: an oversized request gets the "too large" page in the site's layout (413),
never a 500 or a stack trace."""
from __future__ import annotations

import io

import pytest

from app.config import Config

MB = 1024 * 1024


def test_max_upload_mb_defaults_to_10_and_sets_max_content_length(monkeypatch):
    monkeypatch.delenv("MAX_UPLOAD_MB", raising=False)
    assert Config().MAX_CONTENT_LENGTH == 20 * MB
    monkeypatch.setenv("MAX_UPLOAD_MB", "25")
    config = Config()
    assert config.MAX_UPLOAD_MB == 25 and config.MAX_CONTENT_LENGTH == 25 * MB


def test_max_upload_mb_below_one_is_refused_at_start_up(monkeypatch):
    monkeypatch.setenv("MAX_UPLOAD_MB", "0")
    with pytest.raises(ValueError, match="MAX_UPLOAD_MB"):
        Config()


def test_the_app_uses_the_setting(app):
    assert app.config["MAX_CONTENT_LENGTH"] == app.config["MAX_UPLOAD_MB"] * MB


def _assert_too_large_page(response) -> None:
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "That upload is too large" in html
    assert 'class="site-footer"' in html  # the site's layout, not Werkzeug's bare page
    assert "Traceback" not in html and "RequestEntityTooLarge" not in html


def test_an_oversized_file_upload_gets_the_413_page(app, client):
    limit = app.config["MAX_CONTENT_LENGTH"]
    upload = io.BytesIO(b"x" * (limit + 1))
    response = client.post("/account/login", data={"email": "a@example.test",
                                                   "file": (upload, "big.pdf")},
                           content_type="multipart/form-data")
    _assert_too_large_page(response)


def test_an_oversized_plain_form_post_gets_the_413_page(app, client):
    body = b"email=" + b"a" * app.config["MAX_CONTENT_LENGTH"]
    response = client.post("/account/login", data=body,
                           content_type="application/x-www-form-urlencoded")
    _assert_too_large_page(response)


def test_a_smaller_limit_is_honoured_and_a_request_under_it_is_not_refused(app, client,
                                                                          monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1 * MB)
    small = client.post("/account/login", data={"file": (io.BytesIO(b"x" * 1000), "a.pdf")},
                        content_type="multipart/form-data")
    assert small.status_code == 400  # refused for its missing CSRF token, not as too large
    big = client.post("/account/login", data={"file": (io.BytesIO(b"x" * (MB + 1)), "b.pdf")},
                      content_type="multipart/form-data")
    _assert_too_large_page(big)
