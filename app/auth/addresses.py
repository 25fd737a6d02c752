"""Email addresses: one normal form, so "Ana@Example.org " and "ana@example.org" are one
account."""
from __future__ import annotations

import unicodedata

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _


def lookup_form(raw: str | None) -> str:
    """The form an address is stored and looked up in (lower case, no surrounding space)."""
    return (raw or "").strip().lower()


def normalise_email(raw: str | None) -> str:
    """A valid address in its stored form. Raises ValueError with a message a person can act
    on. Deliverability is not checked (that needs the network); the reserved ".test" domain is
    allowed so test and demo addresses work."""
    address = lookup_form(raw)
    if not address:
        raise ValueError(_("Enter an email address."))
    try:
        checked = validate_email(address, check_deliverability=False, test_environment=True)
    except EmailNotValidError as error:
        raise ValueError(_("Enter an email address like name@example.org.")) from error
    return checked.normalized.lower()


# Full stops other scripts type, which IDNA maps to "." in a domain.
_FULL_STOPS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})


def limit_form(raw: str | None) -> str:
    """The form rate limits count an address under: folded at least as far as any address
    the site acts on. `normalise_email` (what registration emails and accounts use) maps
    full-width letters, ideographic full stops and the like in the domain; NFKC and case
    folding here map them everywhere (mathematical script letters too), so look-alike spellings
    of one address share one count instead of each getting its own."""
    address = lookup_form(raw)
    try:
        address = normalise_email(address)
    except ValueError:
        pass
    return unicodedata.normalize("NFKC", address.translate(_FULL_STOPS)).casefold()[:254]
