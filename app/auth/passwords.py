"""Password hashing (argon2id) and the password policy."""
from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from flask_babel import gettext as _

from app.config import ARGON2_DEFAULTS

MIN_LENGTH = 12
MAX_LENGTH = 256

# OWASP's Password Storage Cheat Sheet: argon2id with any one of these (memory in KiB, passes),
# one lane. More memory, passes or lanes than one of them is at least as strong.
OWASP_ARGON2ID_MINIMUMS = ((47104, 1), (19456, 2), (12288, 3), (9216, 4), (7168, 5))


def meets_owasp_minimum(time_cost: int, memory_cost: int) -> bool:
    return any(memory_cost >= memory and time_cost >= passes
               for memory, passes in OWASP_ARGON2ID_MINIMUMS)


@lru_cache(maxsize=4)
def _make_hasher(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost,
                          parallelism=parallelism, type=Type.ID)


def hasher_for(config: Mapping) -> PasswordHasher:
    """The argon2id hasher for CONFIG's ARGON2_* settings (production: RFC 9106's low-memory
    profile; TestConfig: the cheapest argon2 allows); a missing setting takes its default."""
    return _make_hasher(*(int(config.get(name, default))
                          for name, default in ARGON2_DEFAULTS.items()))


def hasher() -> PasswordHasher:
    """The hasher for the current app's settings; outside an app, the production defaults."""
    return hasher_for(current_app.config if has_app_context() else {})


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when PASSWORD matches; never raises on a bad or missing hash."""
    if not password_hash:
        # Spend the same time as a real check so timing does not reveal unknown accounts.
        hasher().hash(password)
        return False
    try:
        # A hash carries its own parameters: it verifies whatever the settings are now.
        return hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters than the current settings."""
    return hasher().check_needs_rehash(password_hash)


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    # zxcvbn ships the 30,000 most common passwords from real breaches.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


# zxcvbn's estimate, 0 (trivial) to 4: below 3 a password falls to an offline guessing attack
# on a stolen hash within days. zxcvbn reads at most ZXCVBN_LENGTH characters.
MIN_STRENGTH = 3
ZXCVBN_LENGTH = 72


def _why_weak(sequence: list[dict]) -> str:
    """Why zxcvbn found a password easy to guess, from the longest pattern it matched."""
    patterns = [m for m in sequence if m.get("pattern") != "bruteforce"]
    if not patterns:
        return ""
    pattern = max(patterns, key=lambda m: len(m.get("token", "")))["pattern"]
    if pattern == "repeat":
        return _("Repeated characters or words, like “aaaa” or “abcabc”, are easy to guess.")
    if pattern == "sequence":
        return _("Sequences, like “abcd” or “1234”, are easy to guess.")
    if pattern == "spatial":
        return _("Rows of keys, like “qwerty”, are easy to guess.")
    if pattern in ("date", "regex"):
        return _("Dates and years are easy to guess.")
    return _("Common words, names and passwords are easy to guess, even with letters swapped "
             "for symbols.")


def _strength_problem(password: str, email: str) -> str | None:
    from zxcvbn import zxcvbn

    user_inputs = [email, email.split("@")[0]] if email else []
    result = zxcvbn(password[:ZXCVBN_LENGTH], user_inputs=user_inputs)
    if result["score"] >= MIN_STRENGTH:
        return None
    why = _why_weak(result["sequence"])
    advice = _("That password would be easy to guess. Use four or more words that do not "
               "belong together, or add more words to it.")
    return f"{advice} {why}".strip()


def password_problems(password: str, email: str = "") -> list[str]:
    """What is wrong with PASSWORD as a new password, as messages a person can act on: too
    short or long, on the common-password list, the email address, or easy to guess by
    zxcvbn's estimate (score below MIN_STRENGTH)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(_("Use at least %(n)d characters. A short sentence is easy to remember.",
                          n=MIN_LENGTH))
    elif len(password) > MAX_LENGTH:
        problems.append(_("Use at most %(n)d characters.", n=MAX_LENGTH))
    lowered = password.lower()
    if lowered in _common_passwords() or lowered.strip("0123456789!.") in _common_passwords():
        problems.append(_("That password is on a list of commonly used passwords. "
                          "Choose something less predictable."))
    elif email and lowered == email.lower():
        problems.append(_("Do not use your email address as your password."))
    elif not problems:
        weakness = _strength_problem(password, email)
        if weakness:
            problems.append(weakness)
    return problems
