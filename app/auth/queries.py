"""Read-only look-ups for accounts, tokens and invitations."""
from __future__ import annotations

from sqlalchemy import func, select

from app.auth.addresses import lookup_form
from app.auth.models import Invitation, PasswordResetToken, RecoveryCode
from app.auth.tokens import normalise_code, token_hash
from app.db import Session
from app.models import User


def get_user_by_email(email: str | None) -> User | None:
    address = lookup_form(email)
    if not address:
        return None
    return Session.scalars(select(User).where(User.email == address)).first()


def get_reset_token(raw: str) -> PasswordResetToken | None:
    """The reset token whose link carried RAW, used or not."""
    return Session.scalars(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == token_hash(raw))
    ).first()


def list_outstanding_reset_tokens(user: User) -> list[PasswordResetToken]:
    return list(Session.scalars(
        select(PasswordResetToken).where(PasswordResetToken.user_id == user.id,
                                         PasswordResetToken.used_at.is_(None))
    ))


def get_invitation_by_raw_token(raw: str) -> Invitation | None:
    return Session.scalars(
        select(Invitation).where(Invitation.token_hash == token_hash(raw))
    ).first()


def list_unused_recovery_codes(user: User) -> list[RecoveryCode]:
    return list(Session.scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                   RecoveryCode.used_at.is_(None))
    ))


def count_unused_recovery_codes(user: User) -> int:
    return Session.scalar(
        select(func.count()).select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ) or 0


def find_unused_recovery_code(user: User, typed: str) -> RecoveryCode | None:
    code = normalise_code(typed)
    if not code:
        return None
    return Session.scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                   RecoveryCode.code_hash == token_hash(code),
                                   RecoveryCode.used_at.is_(None))
    ).first()
