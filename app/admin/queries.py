"""Read-only look-ups for the administration pages. Lists are paginated in SQL."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import selectinload

from app.auth.models import Invitation
from app.db import Session, utcnow
from app.models import Consultation, Membership, Organisation, User, UserRole
from app.web.pagination import Page, paginate

PER_PAGE = 25


def _paginate(stmt: Select, page: int, per_page: int | None) -> Page:
    # PER_PAGE is read at call time, so a test can make pages short.
    return paginate(stmt, page, per_page or PER_PAGE)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def list_users(search: str = "", role: str = "", page: int = 1,
               per_page: int | None = None) -> Page[User]:
    """People whose name or email contains SEARCH (any case), holding ROLE when given."""
    stmt = select(User).order_by(func.lower(User.display_name), User.id)
    if search:
        pattern = f"%{_escape_like(search.strip().lower())}%"
        stmt = stmt.where(or_(func.lower(User.display_name).like(pattern, escape="\\"),
                              func.lower(User.email).like(pattern, escape="\\")))
    if role:
        stmt = stmt.where(exists().where(UserRole.user_id == User.id, UserRole.role == role))
    return _paginate(stmt, page, per_page)


def get_user(user_id: int) -> User | None:
    return Session.get(User, user_id)


def list_organisations_with_counts() -> list[tuple[Organisation, int]]:
    """Every organisation with its number of members, by name."""
    members = (
        select(Membership.organisation_id, func.count().label("n"))
        .group_by(Membership.organisation_id).subquery()
    )
    stmt = (
        select(Organisation, func.coalesce(members.c.n, 0))
        .outerjoin(members, members.c.organisation_id == Organisation.id)
        .order_by(func.lower(Organisation.name))
    )
    return [(org, count) for org, count in Session.execute(stmt).all()]


def organisation_choices() -> list[tuple[int, str]]:
    rows = Session.execute(select(Organisation.id, Organisation.name)
                           .order_by(func.lower(Organisation.name))).all()
    return [(row.id, row.name) for row in rows]


def get_organisation(organisation_id: int) -> Organisation | None:
    return Session.get(Organisation, organisation_id)


def find_organisation_by_name(name: str) -> Organisation | None:
    """The organisation called NAME, ignoring case and surrounding spaces."""
    return Session.scalars(
        select(Organisation).where(func.lower(Organisation.name) == name.strip().lower())
    ).first()


def list_invitations(page: int = 1, per_page: int | None = None) -> Page[Invitation]:
    """Invitations, newest first."""
    stmt = (select(Invitation).options(selectinload(Invitation.invited_by))
            .order_by(Invitation.created_at.desc(), Invitation.id.desc()))
    return _paginate(stmt, page, per_page)


def get_invitation(invitation_id: int) -> Invitation | None:
    return Session.get(Invitation, invitation_id)


def list_consultations() -> list[Consultation]:
    return list(Session.scalars(select(Consultation).order_by(Consultation.opens_at.desc(),
                                                              Consultation.id.desc())))


def get_consultation(consultation_id: int) -> Consultation | None:
    return Session.get(Consultation, consultation_id)


@dataclass
class DashboardCounts:
    people: int
    disabled: int
    organisations: int
    pending_invitations: int
    consultations: int
    open_consultations: int


def dashboard_counts() -> DashboardCounts:
    now = utcnow()

    def count(stmt) -> int:
        return Session.scalar(stmt) or 0

    return DashboardCounts(
        people=count(select(func.count(User.id))),
        disabled=count(select(func.count(User.id)).where(User.is_enabled.is_(False))),
        organisations=count(select(func.count(Organisation.id))),
        pending_invitations=count(
            select(func.count(Invitation.id)).where(
                Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None),
                Invitation.expires_at > now)),
        consultations=count(select(func.count(Consultation.id))),
        open_consultations=count(
            select(func.count(Consultation.id)).where(
                Consultation.status == "open", Consultation.opens_at <= now,
                Consultation.closes_at > now)),
    )


def list_members(organisation: Organisation) -> list[User]:
    """The people who take part for ORGANISATION, by name."""
    return list(Session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == organisation.id)
        .order_by(func.lower(User.display_name), User.id)))
