"""Operations on accounts: creating people, signing in, passwords, invitations, registration.

Every function takes the actor explicitly, adds and flushes, and never commits: the view, CLI
command or job that calls it commits. Refusals raise app.errors.OperationRefused with a message
for the person and the form field it belongs to. Two-factor operations are in two_factor.py.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app.auth import queries
from app.auth.addresses import lookup_form, normalise_email
from app.auth.models import Invitation, PasswordResetToken
from app.auth.passwords import hash_password, needs_rehash, password_problems, verify_password
from app.auth.sessions import end_all_sessions
from app.auth.tokens import new_token, sign_invitation_token, token_hash
from app.db import Session, utcnow
from app.errors import OperationRefused
from app.mail import absolute_url
from app.models import ROLES, Membership, Organisation, User, UserRole
from app.privacy.audit import record_event

# ---------------------------------------------------------------- people


def _clean_roles(roles: str | Iterable[str]) -> list[str]:
    if isinstance(roles, str):
        roles = roles.split()
    chosen = set(roles)
    unknown = chosen - set(ROLES)
    if unknown:
        raise OperationRefused(_("Unknown role: %(roles)s.", roles=", ".join(sorted(unknown))),
                               field="roles")
    if not chosen:
        raise OperationRefused(_("Choose at least one role."), field="roles")
    return [role for role in ROLES if role in chosen]  # in the site's usual order


def _clean_email(email: str) -> str:
    try:
        return normalise_email(email)
    except ValueError as error:
        raise OperationRefused(str(error), field="email") from error


def _check_new_password(password: str, email: str, field: str = "password") -> None:
    problems = password_problems(password or "", email)
    if problems:
        raise OperationRefused(" ".join(problems), field=field)


def _add_user(*, email: str, display_name: str, roles: Iterable[str], password: str | None,
              organisation: Organisation | None, is_demo: bool = False) -> User:
    """Build, add and flush a new User; shared by every way an account comes to exist."""
    address = _clean_email(email)
    name = (display_name or "").strip()
    if not name:
        raise OperationRefused(_("Enter a name."), field="display_name")
    if len(name) > 120:
        raise OperationRefused(_("Use at most 120 characters for the name."),
                               field="display_name")
    role_list = _clean_roles(roles)
    taken = _("An account with that email address already exists.")
    if queries.get_user_by_email(address) is not None:
        raise OperationRefused(taken, field="email")
    if password is not None:
        _check_new_password(password, address)
    user = User(email=address, display_name=name, is_demo=is_demo, is_enabled=True,
                session_version=1,
                password_hash=hash_password(password) if password is not None else None)
    user.role_rows = [UserRole(role=role) for role in role_list]
    try:
        # A savepoint, so losing a race for the same address refuses cleanly instead of
        # spoiling the caller's transaction.
        with Session.begin_nested():
            Session.add(user)
            if organisation is not None:  # after add: the membership joins the session too
                user.memberships.append(Membership(organisation=organisation))
    except IntegrityError as error:
        raise OperationRefused(taken, field="email") from error
    return user


def create_user(actor: User | None, *, email: str, display_name: str,
                roles: str | Iterable[str], password: str | None = None,
                organisation: Organisation | None = None, is_demo: bool = False) -> User:
    """Add a person with ROLES and, when given, a membership of ORGANISATION.

    Without a password the account cannot sign in until a password reset. Refuses a malformed
    or taken email (field "email"), a missing name, unknown roles and a password that fails the
    policy (field "password"). Audits "user.created".
    """
    user = _add_user(email=email, display_name=display_name, roles=roles, password=password,
                     organisation=organisation, is_demo=is_demo)
    record_event(actor, "user.created", target=user,
                 detail={"email": user.email, "roles": sorted(user.roles),
                         "organisation_id": organisation.id if organisation else None,
                         "is_demo": is_demo})
    return user


# ---------------------------------------------------------------- signing in and out


NOT_AN_EMAIL = "(not an email address)"


def _tried_address(address: str) -> str:
    """What the audit log keeps of an address typed for an account that does not exist: the
    address when it is one, else a placeholder, since people type passwords into the email box
    too."""
    try:
        normalise_email(address)
    except ValueError:
        return NOT_AN_EMAIL
    return address[:254]


def _demo_sign_in_refused() -> bool:
    return current_app.config.get("KORERO_ENV") == "production"


def check_password_sign_in(email: str, password: str, *, ip: str = "") -> User | None:
    """The enabled account matching EMAIL and PASSWORD, or None.

    A failure is audited ("login.failure", with the address that was tried, or a placeholder
    when what was typed for an unknown account is not an email address) and looks the same to
    the caller whatever the reason. An outdated password hash is upgraded. Refuses a demo
    account when KORERO_ENV is production (its password is published), with a message saying
    so, audited as "login.failure" with reason "demo_in_production".
    """
    address = lookup_form(email)
    user = queries.get_user_by_email(address)
    # verify_password spends the same time when there is no account, so timing tells nothing.
    matches = verify_password(user.password_hash if user else None, password or "")
    if user is None or not matches or not user.is_enabled:
        reason = ("unknown_account" if user is None
                  else "wrong_password" if not matches else "account_disabled")
        record_event(user, "login.failure", ip=ip, detail={"reason": reason},
                     actor_email=_tried_address(address) if user is None else "")
        return None
    if user.is_demo and _demo_sign_in_refused():
        record_event(user, "login.failure", ip=ip, detail={"reason": "demo_in_production"})
        raise OperationRefused(_("Demo accounts are switched off on this site, because their "
                                 "password is published. Sign in with your own account."))
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def record_sign_in(user: User, *, method: str, ip: str = "") -> None:
    """Audit a completed sign-in ("login.success"); METHOD names the second factor, if any."""
    record_event(user, "login.success", ip=ip, detail={"second_factor": method})


def record_sign_in_failure(user: User, *, reason: str, ip: str = "") -> None:
    record_event(user, "login.failure", ip=ip, detail={"reason": reason})


def sign_out(user: User, *, ip: str = "") -> None:
    """Audit "logout" and end every session of USER (the view clears this browser's)."""
    end_all_sessions(user)
    record_event(user, "logout", ip=ip)


# ---------------------------------------------------------------- passwords


def _void_reset_tokens(user: User) -> None:
    """Make every outstanding password-reset link of USER stop working."""
    now = utcnow()
    for token in queries.list_outstanding_reset_tokens(user):
        token.used_at = now


def change_password(user: User, *, current_password: str, new_password: str,
                    ip: str = "") -> None:
    """Set a new password for USER, end every session they have (the view starts a new one
    for this browser) and void their outstanding password-reset links. Refuses a wrong current
    password (field "current_password", audited as "reauth.failure"; the view commits so the
    event is kept) and a new password that fails the policy (field "new_password"). Audits
    "password.changed"."""
    if user.is_demo:
        raise OperationRefused(_("Demo accounts are shared, so their password cannot be "
                                 "changed."))
    if not verify_password(user.password_hash, current_password or ""):
        record_event(user, "reauth.failure", target=user, ip=ip,
                     detail={"purpose": "change_password"})
        raise OperationRefused(_("That is not your current password."),
                               field="current_password")
    _check_new_password(new_password, user.email, field="new_password")
    user.password_hash = hash_password(new_password)
    _void_reset_tokens(user)
    end_all_sessions(user)
    Session.flush()
    record_event(user, "password.changed", target=user, ip=ip)


def request_password_reset(email: str, *, ip: str = "") -> tuple[User | None, str | None]:
    """Create a single-use reset token for the enabled account at EMAIL, voiding any older
    ones: only the newest link works.

    Returns (user, raw token), or (None, None) when there is no such enabled account. Either
    way the request is audited ("password.reset_requested"), so both take the same path.
    """
    address = lookup_form(email)
    user = queries.get_user_by_email(address)
    if user is None or not user.is_enabled:
        record_event(None, "password.reset_requested", actor_email=_tried_address(address),
                     ip=ip, detail={"account": "none"})
        return None, None
    _void_reset_tokens(user)
    raw = new_token()
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    Session.add(PasswordResetToken(user_id=user.id, token_hash=token_hash(raw),
                                   expires_at=utcnow() + timedelta(minutes=minutes)))
    Session.flush()
    record_event(user, "password.reset_requested", target=user, ip=ip)
    return user, raw


def reset_password(token: PasswordResetToken, new_password: str, *, ip: str = "") -> User:
    """Set a new password from a reset link: marks TOKEN used, voids the person's other
    outstanding tokens and ends all their sessions. Refuses a used or expired token and a
    password that fails the policy (field "password"). Audits "password.reset"."""
    user = token.user
    if not token.is_usable() or not user.is_enabled:
        raise OperationRefused(_("This reset link can no longer be used. "
                                 "Please ask for a new one."))
    _check_new_password(new_password, user.email)
    user.password_hash = hash_password(new_password)
    _void_reset_tokens(user)  # TOKEN and any other outstanding one
    token.used_at = token.used_at or utcnow()
    end_all_sessions(user)
    Session.flush()
    record_event(user, "password.reset", target=user, ip=ip)
    return user


# ---------------------------------------------------------------- invitations


def create_invitation(actor: User | None, *, email: str, roles: str | Iterable[str],
                      organisation: Organisation | None = None,
                      ip: str = "") -> tuple[Invitation, str]:
    """Invite EMAIL to take ROLES (and join ORGANISATION). Returns the invitation and its
    accept link, built from BASE_URL. The link carries a signed random token of which only
    the SHA-256 is stored; it expires after INVITATION_DAYS. Refuses a malformed email and
    unknown roles. Audits "invitation.created"."""
    address = _clean_email(email)
    role_list = _clean_roles(roles)
    raw = new_token()
    days = current_app.config["INVITATION_DAYS"]
    invitation = Invitation(
        email=address, roles=" ".join(role_list),
        organisation_id=organisation.id if organisation else None,
        token_hash=token_hash(raw), invited_by_id=getattr(actor, "id", None),
        expires_at=utcnow() + timedelta(days=days),
    )
    invitation.organisation = organisation
    Session.add(invitation)
    Session.flush()
    record_event(actor, "invitation.created", target=invitation, ip=ip,
                 detail={"email": address, "roles": role_list,
                         "organisation_id": invitation.organisation_id})
    link = absolute_url("auth.accept_invitation", token=sign_invitation_token(raw))
    return invitation, link


def revoke_invitation(actor: User | None, invitation: Invitation, ip: str = "") -> None:
    """Withdraw an invitation so its link stops working. Refuses one already accepted.
    Audits "invitation.revoked"."""
    if invitation.accepted_at is not None:
        raise OperationRefused(_("That invitation has already been accepted."))
    if invitation.revoked_at is not None:
        return
    invitation.revoked_at = utcnow()
    Session.flush()
    record_event(actor, "invitation.revoked", target=invitation, ip=ip,
                 detail={"email": invitation.email})


def _check_invitation_usable(invitation: Invitation) -> None:
    if not invitation.is_usable():
        raise OperationRefused(_("This invitation can no longer be used."))


def accept_invitation_as_new_user(invitation: Invitation, *, display_name: str, password: str,
                                  ip: str = "") -> User:
    """Create the invited person's account with the invited roles and membership, and mark
    the invitation accepted. Refuses an unusable invitation, a taken email and a weak
    password. Audits "invitation.accepted"."""
    _check_invitation_usable(invitation)
    user = _add_user(email=invitation.email, display_name=display_name,
                     roles=invitation.role_list, password=password,
                     organisation=invitation.organisation)
    _mark_accepted(invitation, user, ip=ip, existing_account=False)
    return user


def accept_invitation_as_existing_user(invitation: Invitation, user: User, *,
                                       ip: str = "") -> User:
    """Give an existing account (already proven to be the invited person's) the invited roles
    and membership, and mark the invitation accepted. Refuses an unusable invitation or an
    account with another email. Audits "invitation.accepted"."""
    _check_invitation_usable(invitation)
    if user.email != invitation.email:
        raise OperationRefused(_("This invitation is for a different email address."))
    held = user.roles
    for role in invitation.role_list:
        if role not in held:
            user.role_rows.append(UserRole(role=role))
    organisation = invitation.organisation
    if organisation is not None and all(m.organisation_id != organisation.id
                                        for m in user.memberships):
        user.memberships.append(Membership(organisation=organisation))
    _mark_accepted(invitation, user, ip=ip, existing_account=True)
    return user


def _mark_accepted(invitation: Invitation, user: User, *, ip: str,
                   existing_account: bool) -> None:
    invitation.accepted_at = utcnow()
    invitation.accepted_user_id = user.id
    Session.flush()
    record_event(user, "invitation.accepted", target=invitation, ip=ip,
                 detail={"roles": invitation.role_list,
                         "organisation_id": invitation.organisation_id,
                         "existing_account": existing_account})


# ---------------------------------------------------------------- self-registration


def register_participant(*, email: str, display_name: str, password: str,
                         ip: str = "") -> User:
    """Create a participant account for someone registering themselves (the view checks that
    self-registration is open). They take part as themselves: only an administrator adds
    people to organisations. Refuses what create_user refuses. Audits "user.registered"."""
    user = _add_user(email=email, display_name=display_name, roles=["participant"],
                     password=password, organisation=None)
    record_event(user, "user.registered", target=user, ip=ip)
    return user
