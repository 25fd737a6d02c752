"""Who runs each workshop: reading and changing its facilitators.

Only a workshop's facilitators and admins see its roster (with access needs), check people in,
export it and record its outputs (Workshop.can_manage); any of them may add another person with
the facilitator role, or take one off. Every change is audited."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from app.db import Session, utcnow
from app.errors import OperationRefused
from app.models import User, UserRole
from app.privacy.audit import record_event
from workshops.models import Workshop, WorkshopFacilitator


def _refuse_unless_manager(actor, workshop: Workshop) -> None:
    if not workshop.can_manage(actor):
        raise OperationRefused(_("Only this workshop's facilitators and admins may change who "
                                 "runs it."))


def add_facilitator(actor, workshop: Workshop, person: User | None) -> bool:
    """Assign PERSON (who must have the facilitator role) to run WORKSHOP; audited. False
    when they already run it (nothing changes)."""
    _refuse_unless_manager(actor, workshop)
    if person is None or not person.is_enabled or not person.has_role("facilitator"):
        raise OperationRefused(_("Choose someone with the facilitator role."), field="user_id")
    if any(link.user_id == person.id for link in workshop.facilitator_links):
        return False
    workshop.facilitator_links.append(WorkshopFacilitator(user_id=person.id,
                                                          added_by_id=actor.id,
                                                          added_at=utcnow()))
    Session.flush()
    record_event(actor, "workshops.facilitator_added", target=workshop,
                 detail={"user_id": person.id})
    return True


def remove_facilitator(actor, workshop: Workshop, person: User | None) -> None:
    """Take PERSON off WORKSHOP's facilitators (they lose its roster at once); audited. The
    last facilitator stays: someone must run it (add another first)."""
    _refuse_unless_manager(actor, workshop)
    link = next((link for link in workshop.facilitator_links
                 if person is not None and link.user_id == person.id), None)
    if link is None:
        raise OperationRefused(_("That person does not run this workshop."))
    if len(workshop.facilitator_links) == 1:
        raise OperationRefused(_("A workshop keeps at least one facilitator: add another "
                                 "before removing this one."))
    workshop.facilitator_links.remove(link)
    Session.flush()
    record_event(actor, "workshops.facilitator_removed", target=workshop,
                 detail={"user_id": person.id})


def facilitators_of(workshop: Workshop) -> list[User]:
    return sorted((link.user for link in workshop.facilitator_links),
                  key=lambda user: (user.display_name.lower(), user.id))


def candidates_for(workshop: Workshop) -> list[User]:
    """Enabled people with the facilitator role who do not run WORKSHOP yet."""
    taken = {link.user_id for link in workshop.facilitator_links}
    people = Session.scalars(select(User).join(UserRole, UserRole.user_id == User.id).where(
        UserRole.role == "facilitator", User.is_enabled.is_(True))
        .order_by(User.display_name, User.id))
    return [person for person in people if person.id not in taken]


def workshops_run_by(person, consultation_id: int | None) -> list[Workshop]:
    """The workshops PERSON facilitates (drafts and past ones too), soonest first."""
    stmt = select(Workshop).join(WorkshopFacilitator).where(
        WorkshopFacilitator.user_id == person.id)
    if consultation_id is not None:
        stmt = stmt.where(Workshop.consultation_id == consultation_id)
    return list(Session.scalars(stmt.order_by(Workshop.starts_at, Workshop.id)))
