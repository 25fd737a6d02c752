"""Email addresses: one normal form, so "Ana@Example.org " and "ana@example.org" are one
account."""
from __future__ import annotations

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
