"""Random tokens, the hashes we store instead of them, signed invitation and registration
links and two-factor recovery codes."""
from __future__ import annotations

import hashlib
import secrets

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

INVITATION_SALT = "korero.invitation"
REGISTRATION_SALT = "korero.registration"
RECOVERY_CODE_COUNT = 10
# No 0/o or 1/l/i: the codes are often copied by hand from paper.
RECOVERY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"


class InvalidToken(Exception):
    """A link token that was tampered with or never issued."""


class ExpiredToken(InvalidToken):
    """A correctly signed link token that is too old."""


def new_token() -> str:
    """A random, URL-safe token with 256 bits of entropy."""
    return secrets.token_urlsafe(32)


def token_hash(raw: str) -> str:
    """What the database keeps of a token: its SHA-256, so a copy of the database opens
    nothing."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _invitation_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=INVITATION_SALT)


def sign_invitation_token(raw: str) -> str:
    return _invitation_serializer().dumps(raw)


def _loads(serializer: URLSafeTimedSerializer, signed: str, max_age_seconds: int):
    """What SIGNED carries, in the two ways a link can fail: ExpiredToken or InvalidToken."""
    try:
        return serializer.loads(signed, max_age=max_age_seconds)
    except SignatureExpired as error:
        raise ExpiredToken() from error
    except BadSignature as error:
        raise InvalidToken() from error


def unsign_invitation_token(signed: str, max_age_seconds: int) -> str:
    """The random part of a signed invitation token. Raises ExpiredToken or InvalidToken."""
    raw = _loads(_invitation_serializer(), signed, max_age_seconds)
    if not isinstance(raw, str) or not raw:
        raise InvalidToken()
    return raw


def _registration_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=REGISTRATION_SALT)


def sign_registration_token(email: str, display_name: str) -> str:
    """A link token carrying the (normalised) EMAIL and the name someone registered with.

    Nothing is stored: the signature is the proof that the email reached that address, and the
    link stops working once an account has the address."""
    return _registration_serializer().dumps({"email": email, "name": display_name})


def unsign_registration_token(signed: str, max_age_seconds: int) -> tuple[str, str]:
    """(email, name) from a signed registration token. Raises ExpiredToken or InvalidToken."""
    payload = _loads(_registration_serializer(), signed, max_age_seconds)
    if not isinstance(payload, dict):
        raise InvalidToken()
    email, name = payload.get("email"), payload.get("name")
    if not isinstance(email, str) or not email or not isinstance(name, str):
        raise InvalidToken()
    return email, name


def new_recovery_code() -> str:
    """A one-time recovery code like "k7m2q-x9wfa" (about 49 bits)."""
    chars = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
    return f"{chars[:5]}-{chars[5:]}"


def normalise_code(text: str) -> str:
    """A code as typed, without spaces or dashes and in lower case."""
    return "".join(ch for ch in (text or "").lower() if ch not in " -\t")
