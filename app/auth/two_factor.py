"""Two-factor sign-in: TOTP secrets, QR codes, code checks and recovery codes.

Replay protection: a TOTP code is accepted once. There is no column for the last accepted time
step, so each accepted (person, time step) is remembered for two minutes in the rate-limit
storage, which every worker shares once REDIS_URL is set (with the default in-memory storage
it is per process; a deployment with several processes should set REDIS_URL anyway, for the
rate limits themselves). With rate limiting switched off, a per-process memory is used.
"""
from __future__ import annotations

import hmac
import re
import threading
import time

import pyotp
import segno
from flask_babel import gettext as _
from sqlalchemy import delete

from app.auth import queries
from app.auth.models import RecoveryCode
from app.auth.passwords import verify_password
from app.auth.sessions import end_all_sessions
from app.auth.tokens import RECOVERY_CODE_COUNT, new_recovery_code, normalise_code, token_hash
from app.db import Session, utcnow
from app.errors import OperationRefused
from app.extensions import limiter
from app.models import User
from app.privacy.audit import record_event

ISSUER = "Kōrero"
VALID_WINDOW = 1  # accept the previous and next 30-second code too: phone clocks drift
REPLAY_MEMORY_SECONDS = 120  # longer than any code stays acceptable (3 steps of 30 s)
_CODE_PATTERN = re.compile(r"^\d{6}$")

_local_claims: dict[str, float] = {}
_local_lock = threading.Lock()


def new_secret() -> str:
    return pyotp.random_base32()


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


def looks_like_totp(code: str) -> bool:
    return bool(_CODE_PATTERN.match("".join((code or "").split())))


def _claim_time_step(user_id: int, step: int) -> bool:
    """True the first time (USER_ID, STEP) is claimed within REPLAY_MEMORY_SECONDS."""
    key = f"korero/totp-used/{user_id}/{step}"
    if limiter.enabled:
        return limiter.storage.incr(key, REPLAY_MEMORY_SECONDS) == 1
    now = time.monotonic()
    with _local_lock:
        for stale in [k for k, until in _local_claims.items() if until < now]:
            del _local_claims[stale]
        if key in _local_claims:
            return False
        _local_claims[key] = now + REPLAY_MEMORY_SECONDS
        return True


def verify_totp(user_id: int, secret: str, code: str, now: float | None = None) -> bool:
    """Whether CODE is a current TOTP code for SECRET that has not been used before."""
    code = "".join((code or "").split())
    if not secret or not _CODE_PATTERN.match(code):
        return False
    totp = pyotp.TOTP(secret)
    current = int((now if now is not None else time.time()) // totp.interval)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return _claim_time_step(user_id, step)
    return False


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
    accounts (shared, so one person would lock out the rest) and a wrong code (field "code").
    Audits "two_factor.enabled".
    """
    if user.is_demo:
        raise OperationRefused(_("Demo accounts are shared, so two-factor sign-in is not "
                                 "available for them."))
    if not verify_totp(user.id, secret, code):
        raise OperationRefused(_("That code did not match. Check the time on your phone is "
                                 "right and enter the newest code."), field="code")
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    codes = _replace_recovery_codes(user)
    end_all_sessions(user)
    record_event(user, "two_factor.enabled", target=user, ip=ip)
    return codes


def disable_two_factor(user: User, *, password: str, ip: str = "") -> None:
    """Turn off two-factor sign-in and delete the recovery codes. Refuses people whose roles
    require it and a wrong password (field "password"). Audits "two_factor.disabled"."""
    if user.must_use_two_factor:
        raise OperationRefused(_("Your role requires two-factor sign-in, so it cannot be "
                                 "turned off."))
    if not user.has_two_factor:
        raise OperationRefused(_("Two-factor sign-in is not turned on."))
    if not verify_password(user.password_hash, password or ""):
        raise OperationRefused(_("That is not your current password."), field="password")
    user.totp_secret = None
    user.totp_enabled_at = None
    Session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    Session.flush()
    record_event(user, "two_factor.disabled", target=user, ip=ip)


def regenerate_recovery_codes(user: User, *, confirmation: str, ip: str = "") -> list[str]:
    """Replace all recovery codes once CONFIRMATION (the password or a current TOTP code)
    proves it is the person. Refuses when two-factor is off or the confirmation is wrong
    (field "confirmation"). Audits "two_factor.recovery_codes_replaced"."""
    if not user.has_two_factor:
        raise OperationRefused(_("Two-factor sign-in is not turned on."))
    confirmation = confirmation or ""
    if looks_like_totp(confirmation):
        confirmed = verify_totp(user.id, user.totp_secret, confirmation)
    else:
        confirmed = verify_password(user.password_hash, confirmation)
    if not confirmed:
        raise OperationRefused(_("That is neither your password nor a current code from your "
                                 "app."), field="confirmation")
    codes = _replace_recovery_codes(user)
    record_event(user, "two_factor.recovery_codes_replaced", target=user, ip=ip)
    return codes


def check_second_factor(user: User, code: str, *, ip: str = "") -> str | None:
    """How CODE proves the second factor: "totp", "recovery_code" (now used up and audited
    as "two_factor.recovery_used"), or None when it does not."""
    if looks_like_totp(code):
        return "totp" if verify_totp(user.id, user.totp_secret, code) else None
    recovery = queries.find_unused_recovery_code(user, code)
    if recovery is None:
        return None
    recovery.used_at = utcnow()
    Session.flush()
    record_event(user, "two_factor.recovery_used", target=user, ip=ip,
                 detail={"remaining": queries.count_unused_recovery_codes(user)})
    return "recovery_code"
