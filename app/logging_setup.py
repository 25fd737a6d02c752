"""Secret tokens never reach a log: invitation and password-reset links carry their token in the
path, and whoever reads the access log could use them. `redact_secrets` blanks those path
segments; gunicorn.conf.py runs every access-log field through it, and app/security.py sends
`Referrer-Policy: no-referrer` on any page whose address `contains_secret`."""
from __future__ import annotations

import re
from urllib.parse import unquote

REDACTED = "[redacted]"

# /account/invitation/<token> and /account/reset-password/<token>, wherever they appear: the
# request line, the Referer of the page's CSS request, a `?next=` that points back at one.
_SECRET_PATH = re.compile(r"(/account/+(?:invitation|reset-password)/+)[^/?#&\s\"']+",
                          re.IGNORECASE)


def redact_secrets(text):
    """TEXT with the token of every invitation or password-reset path replaced by [redacted].

    Percent-encoded forms (`next=%2Faccount%2Finvitation%2F...`, `/account/%69nvitation/...`)
    are decoded first, so they cannot slip past; anything that is not a string is returned
    as it is."""
    if not isinstance(text, str) or ("/" not in text and "%" not in text):
        return text
    candidate = text
    for _ in range(3):  # a token may be encoded once in `next=`, twice in a Referer of that
        if _SECRET_PATH.search(candidate):
            return _SECRET_PATH.sub(rf"\g<1>{REDACTED}", candidate)
        decoded = unquote(candidate)
        if decoded == candidate:
            break
        candidate = decoded
    return text


def contains_secret(text: str) -> bool:
    """True when TEXT holds an invitation or password-reset token."""
    return redact_secrets(text) != text

