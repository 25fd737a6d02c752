"""Two-factor sign-in: TOTP secrets, QR codes, code checks and recovery codes.

Replay protection: a TOTP code is accepted once. The newest time step each person has used is
kept in the database (TotpUse) and a code is accepted only when one conditional UPDATE moves it
forward, so two workers (or hosts) cannot both accept the same code, nor an older one.
A recovery code is used up the same way: one conditional UPDATE that only one request can win.

The secret being set up is never put in the session cookie (signed, but readable by anyone who
holds it): the cookie keeps a random nonce, and the secret is derived from it with SECRET_KEY.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
import unicodedata

import pyotp
import segno
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from app.auth import queries
from app.auth.models import RecoveryCode, TotpUse
from app.auth.passwords import verify_password
from app.auth.sessions import end_all_sessions
from app.auth.tokens import RECOVERY_CODE_COUNT, new_recovery_code, normalise_code, token_hash
from app.db import Session, utcnow
from app.errors import OperationRefused
from app.models import User
from app.privacy.audit import record_event

ISSUER = "Kōrero"
VALID_WINDOW = 1  # accept the previous and next 30-second code too: phone clocks drift
# ASCII digits only: \d also matches other scripts' digits, which then reached
# hmac.compare_digest (it refuses non-ASCII str with TypeError: a 500, and no audit record).
_CODE_PATTERN = re.compile(r"^[0-9]{6}$")
_SETUP_SALT = b"korero.two-factor-setup"


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The QR code for URI as inline <svg> markup that our CSP allows: no style attributes, no
    <style> element, no data: URLs. Sized by CSS (.qr svg) through its viewBox."""
    qr = segno.make(uri, error="m")
    svg = qr.svg_inline(scale=1, border=4, omitsize=True, svgclass="qr-code",
                        title=_("QR code to scan with your authenticator app"))
    # segno emits presentation attributes only; strip styles anyway should a version add them.
    svg = re.sub(r"\sstyle=(\"[^\"]*\"|'[^']*')", "", svg)
    svg = re.sub(r"<style\b.*?</style>", "", svg, flags=re.DOTALL)
    return svg.replace("<svg ", '<svg role="img" focusable="false" ', 1)


def format_secret(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _clean_code(code: str | None) -> str:
    """CODE without spaces, with full-width digits (typed with some keyboards) made ASCII."""
    return "".join(unicodedata.normalize("NFKC", code or "").split())


def looks_like_totp(code: str) -> bool:
    return bool(_CODE_PATTERN.match(_clean_code(code)))


def new_setup_nonce() -> str:
    """What the session keeps while two-factor is being set up (see setup_secret)."""
    return secrets.token_urlsafe(16)


def setup_secret(user: User, nonce: str) -> str:
    """The TOTP secret offered to USER during set-up, derived from NONCE with SECRET_KEY: the
    session cookie carries only the nonce, which is useless without the key."""
    key = current_app.config["SECRET_KEY"].encode("utf-8")
    message = _SETUP_SALT + f":{user.id}:{nonce}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()[:20]  # 160 bits, as RFC 4226
    return base64.b32encode(digest).decode("ascii")


def _advance_step(user_id: int, step: int) -> bool:
    result = Session.execute(
        update(TotpUse)
        .where(TotpUse.user_id == user_id, TotpUse.last_step < step)
        .values(last_step=step, used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def claim_time_step(user_id: int, step: int) -> bool:
    """Record STEP as the newest TOTP time step USER_ID has used; False when it is not newer
    than the one already recorded (the code was used, or a later one was).

    Atomic on PostgreSQL too: the UPDATE's condition is re-checked on the locked row, so of two
    concurrent claims only one changes it; a first claim inserts the row, and a concurrent
    insert of the same row fails on the primary key and falls back to the UPDATE."""
    if _advance_step(user_id, step):
        return True
    if Session.scalar(select(TotpUse.user_id).where(TotpUse.user_id == user_id)) is not None:
        return False
    try:
        with Session.begin_nested():
            Session.execute(insert(TotpUse).values(user_id=user_id, last_step=step,
                                                   used_at=utcnow()))
    except IntegrityError:
        return _advance_step(user_id, step)
    return True


def verify_totp(user_id: int, secret: str, code: str, now: float | None = None) -> bool:
    """Whether CODE is a current TOTP code for SECRET whose time step is newer than any
    USER_ID has used; accepting it records its step."""
    code = _clean_code(code)
    if not secret or not _CODE_PATTERN.match(code):
        return False
    totp = pyotp.TOTP(secret)
    current = int((now if now is not None else time.time()) // totp.interval)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return claim_time_step(user_id, step)
    return False


def _refuse_reauthentication(user: User, purpose: str, message: str, field: str, *,
                             ip: str) -> None:
    """Audit a failed proof of identity ("reauth.failure") and refuse. The view commits on a
    refusal, so the event is kept although the form is shown again."""
    record_event(user, "reauth.failure", target=user, ip=ip, detail={"purpose": purpose})
    raise OperationRefused(message, field=field)


def _replace_recovery_codes(user: User) -> list[str]:
    Session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    Session.add_all(RecoveryCode(user_id=user.id, code_hash=token_hash(normalise_code(code)))
                    for code in codes)
    Session.flush()
    return codes


def enable_two_factor(user: User, *, secret: str, code: str, ip: str = "") -> list[str]:
    """Turn on two-factor sign-in for USER with SECRET once CODE proves their app has it.

    Returns the new recovery codes (shown once, stored hashed). Ends every other session (they
    were signed in with the password alone; the view starts a new one here). Refuses demo
    accounts (shared, so one person would lock out the rest) and a wrong code (field "code",
    audited as "reauth.failure"). Audits "two_factor.enabled".
    """
    if user.is_demo:
        raise OperationRefused(_("Demo accounts are shared, so two-factor sign-in is not "
                                 "available for them."))
    if not verify_totp(user.id, secret, code):
        _refuse_reauthentication(
            user, "two_factor_setup",
            _("That code did not match. Check the time on your phone is right and enter the "
              "newest code."), "code", ip=ip)
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    codes = _replace_recovery_codes(user)
    end_all_sessions(user)
    record_event(user, "two_factor.enabled", target=user, ip=ip)
    return codes


def disable_two_factor(user: User, *, password: str, ip: str = "") -> None:
    """Turn off two-factor sign-in and delete the recovery codes. Refuses people whose roles
    require it and a wrong password (field "password", audited as "reauth.failure"). Audits
    "two_factor.disabled"."""
    if user.must_use_two_factor:
        raise OperationRefused(_("Your role requires two-factor sign-in, so it cannot be "
                                 "turned off."))
    if not user.has_two_factor:
        raise OperationRefused(_("Two-factor sign-in is not turned on."))
    if not verify_password(user.password_hash, password or ""):
        _refuse_reauthentication(user, "two_factor_disable",
                                 _("That is not your current password."), "password", ip=ip)
    user.totp_secret = None
    user.totp_enabled_at = None
    Session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    Session.flush()
    record_event(user, "two_factor.disabled", target=user, ip=ip)


def regenerate_recovery_codes(user: User, *, confirmation: str, ip: str = "") -> list[str]:
    """Replace all recovery codes once CONFIRMATION (the password or a current TOTP code)
    proves it is the person. Refuses when two-factor is off or the confirmation is wrong
    (field "confirmation", audited as "reauth.failure"). Audits
    "two_factor.recovery_codes_replaced"."""
    if not user.has_two_factor:
        raise OperationRefused(_("Two-factor sign-in is not turned on."))
    confirmation = confirmation or ""
    if looks_like_totp(confirmation):
        confirmed = verify_totp(user.id, user.totp_secret, confirmation)
    else:
        confirmed = verify_password(user.password_hash, confirmation)
    if not confirmed:
        _refuse_reauthentication(
            user, "recovery_codes",
            _("That is neither your password nor a current code from your app."),
            "confirmation", ip=ip)
    codes = _replace_recovery_codes(user)
    record_event(user, "two_factor.recovery_codes_replaced", target=user, ip=ip)
    return codes


def _use_recovery_code(recovery: RecoveryCode) -> bool:
    """Mark RECOVERY used, unless another request already has: one conditional UPDATE, so of
    two requests racing with the same code only one gets True."""
    now = utcnow()
    result = Session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.id == recovery.id, RecoveryCode.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    Session.expire(recovery, ["used_at"])
    return True


def check_second_factor(user: User, code: str, *, ip: str = "") -> str | None:
    """How CODE proves the second factor: "totp", "recovery_code" (now used up and audited
    as "two_factor.recovery_used"), or None when it does not."""
    if looks_like_totp(code):
        return "totp" if verify_totp(user.id, user.totp_secret, code) else None
    recovery = queries.find_unused_recovery_code(user, code)
    if recovery is None or not _use_recovery_code(recovery):
        return None
    record_event(user, "two_factor.recovery_used", target=user, ip=ip,
                 detail={"remaining": queries.count_unused_recovery_codes(user)})
    return "recovery_code"
