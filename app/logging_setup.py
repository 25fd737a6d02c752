"""Secret tokens never reach a log: invitation, password-reset and registration links carry
their token in the path, and whoever reads the access log could use them. `redact_secrets`
blanks those path segments; gunicorn.conf.py runs every access-log field through it, and
app/security.py sends `Referrer-Policy: no-referrer` on any page whose address
`contains_secret`."""
from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import unquote

REDACTED = "[redacted]"

# /account/invitation/<token>, /account/reset-password/<token>, /account/register/<token> and
# /account/sign-in-link/<token>,
# wherever they appear: the request line, the Referer of the page's CSS request, a `?next=` that
# points back at one. (/account/register itself, with no token, is left alone.) Feature packages
# add their own prefixes (a private calendar feed ...) in their registrations.
CORE_SECRET_PREFIXES = (r"/account/+(?:invitation|reset-password|register|sign-in-link)/+",)
_TOKEN = r"[^/?#&\s\"']+"


_package_prefixes: set[str] = set()


def register_secret_paths(prefixes) -> None:
    """Add a feature package's secret path PREFIXES (app.packages does, when an app is built:
    gunicorn builds it in every worker before the first request is logged)."""
    if set(prefixes) - _package_prefixes:
        _package_prefixes.update(prefixes)
        _secret_path.cache_clear()


@lru_cache(maxsize=1)
def _secret_path() -> re.Pattern:
    prefixes = "|".join(f"(?:{prefix})" for prefix in
                        (*CORE_SECRET_PREFIXES, *sorted(_package_prefixes)))
    return re.compile(f"({prefixes}){_TOKEN}", re.IGNORECASE)


def redact_secrets(text):
    """TEXT with the token of every invitation, password-reset or registration path replaced by
    [redacted].

    Percent-encoded forms (`next=%2Faccount%2Finvitation%2F...`, `/account/%69nvitation/...`)
    are decoded first, so they cannot slip past; anything that is not a string is returned
    as it is."""
    if not isinstance(text, str) or ("/" not in text and "%" not in text):
        return text
    candidate = text
    for _ in range(3):  # a token may be encoded once in `next=`, twice in a Referer of that
        if _secret_path().search(candidate):
            return _secret_path().sub(rf"\g<1>{REDACTED}", candidate)
        decoded = unquote(candidate)
        if decoded == candidate:
            break
        candidate = decoded
    return text


def contains_secret(text: str) -> bool:
    """True when TEXT holds an invitation, password-reset or registration token."""
    return redact_secrets(text) != text

