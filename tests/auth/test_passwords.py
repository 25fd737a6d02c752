"""The password policy: length, the common-password list and zxcvbn's guessability estimate."""
from __future__ import annotations

import pytest
from conftest import DEFAULT_PASSWORD

from app.auth.passwords import password_problems

EASY_TO_GUESS = ["123456789012", "111111111111", "aaaaaaaaaaaa", "abcdefghijkl",
                 "qwertyuiopasdf", "passwordpassword"]


@pytest.mark.parametrize("password", EASY_TO_GUESS)
def test_easily_guessed_passwords_are_refused(app, password):
    with app.test_request_context():
        problems = password_problems(password, "ana@example.org")
    assert problems, password
    assert any("easy to guess" in p or "commonly used" in p for p in problems)


def test_the_refusal_says_why_and_what_to_do(app):
    with app.test_request_context():
        [problem] = password_problems("abcdefghijkl")
    assert "Use four or more words" in problem and "Sequences" in problem
    with app.test_request_context():
        [problem] = password_problems("aaaaaaaaaaaa")
    assert "Repeated characters" in problem


def test_the_email_address_counts_against_a_password(app):
    with app.test_request_context():
        assert password_problems("ana.tipene@example.org!", "ana.tipene@example.org")


@pytest.mark.parametrize("password", [
    DEFAULT_PASSWORD, "korero-demo-2026", "a brand new kauri forest walk",
    "tui sing at dawn over the harbour", "harakeke weaving on a sunny afternoon"])
def test_good_passphrases_and_the_demo_password_pass(app, password):
    with app.test_request_context():
        assert password_problems(password, "ana@example.org") == []


def test_the_length_rules_still_come_first(app):
    with app.test_request_context():
        assert password_problems("short") == [
            "Use at least 12 characters. A short sentence is easy to remember."]
        assert "Use at most 256" in password_problems("kauri " * 50)[0]


def test_the_demo_password_setting_passes_the_policy(app):
    with app.test_request_context():
        assert password_problems(app.config["DEMO_PASSWORD"], "admin@demo.korero.nz") == []


def test_a_weak_password_is_refused_on_the_form(client, auth, make_user, post_form):
    auth.login(make_user())
    html = post_form("/account/password", {"current_password": DEFAULT_PASSWORD,
                                           "new_password": "qwertyuiopasdf",
                                           "confirm": "qwertyuiopasdf"}).get_data(as_text=True)
    assert "easy to guess" in html
