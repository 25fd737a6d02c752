"""The rules the corpus's write operations apply (`app.corpus.operations`): who may record
feedback or change its consent, which changes widen a consent and so need the giver's recorded
agreement, and the checks on what is recorded (organisation membership, governance group,
stakeholder group). Kept apart so the operations read as what they do.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _

from app.corpus.models import FeedbackItem
from app.corpus.scope import PUBLISH_LEVELS, QUOTE_LEVELS, ConsentScope
from app.errors import OperationRefused
from app.governance.queries import governance_group_exists
from app.models import STAKEHOLDER_GROUPS, Organisation, User

# Sources a facilitator writes up on someone's behalf: interview notes (with the interviewee's
# consent as the facilitator recorded it) and a workshop's outputs.
FACILITATOR_RECORDED = frozenset({"interview_note", "workshop_output"})

# How a person without an account proves that feedback with no author is theirs, when there is
# no actor to check: "receipt_link", the caller checked they hold the secret their receipt gave
# them (its emailed link, or the signed browser session the feedback was given in). Such a
# VERIFIED change is allowed only on an item with no author that its giver wrote themselves
# (never an import, an interview note or a workshop output), and is audited with how it was
# verified.
VERIFICATIONS = frozenset({"receipt_link"})
_NOT_SELF_GIVEN = FACILITATOR_RECORDED | {"imported_row"}


def is_verified_giver(actor: User | None, item: FeedbackItem | None,
                       verified_by: str | None) -> bool:
    """Whether a change with no ACTOR comes from ITEM's giver, verified by VERIFIED_BY."""
    if verified_by is None:
        return False
    if verified_by not in VERIFICATIONS:
        raise ValueError(f"unknown verification {verified_by!r}: one of {sorted(VERIFICATIONS)}")
    return (actor is None and item is not None and item.author_id is None
            and item.source not in _NOT_SELF_GIVEN)


def check_group_exists(scope: ConsentScope) -> None:
    if scope.governed_by_id is not None and not governance_group_exists(scope.governed_by_id):
        raise OperationRefused(_("That governance group does not exist. Choose one from the "
                                 "list."), field="governed_by_id")


def check_membership(author: User | None, organisation: Organisation | None) -> None:
    """Feedback is attributed to an organisation only when its author belongs to it: nobody
    speaks for an organisation they are not part of. (An item with no author, such as an
    imported row or a workshop's group output, may name the organisation it came from.)"""
    if author is None or organisation is None:
        return
    if all(m.organisation_id != organisation.id for m in author.memberships):
        raise OperationRefused(
            _("%(person)s is not a member of %(organisation)s, so their feedback cannot be "
              "recorded under it. Choose one of their own organisations, or none.",
              person=author.display_name, organisation=organisation.name),
            field="organisation")


def may_record(actor: User | None, source: str, author: User | None, *, creating: bool) -> bool:
    """Who may create or rewrite an item: its author, a facilitator for what facilitators
    record, an analyst for imported rows; and the system (no actor: an import run from the
    CLI), which may only create, never rewrite what a person recorded."""
    if actor is None:
        return creating
    if author is not None and actor.id == author.id:
        return True
    if source in FACILITATOR_RECORDED and actor.has_role("facilitator"):
        return True
    return source == "imported_row" and actor.has_role("analyst")


# How the person who gave the feedback agreed to a correction that widens its consent or
# removes its governance group, when someone else records that correction.
AGREEMENT_METHODS = ("in_person", "phone", "video_call", "email", "in_writing")
# A recorded agreement may be a few minutes "in the future": clocks differ.
_AGREEMENT_CLOCK_SKEW = timedelta(minutes=5)


def may_change_consent(actor: User | None, item: FeedbackItem) -> bool:
    """Consent is set by the person who gave the feedback. For an interview note or workshop
    output it is recorded for them by a facilitator, and only that facilitator may correct
    it (another facilitator must not widen what a colleague recorded); an admin may too, with
    a reason (`update_consent` checks it). Nobody else may change it; the system (no actor)
    never does."""
    if actor is None:
        return False
    if actor.id == item.author_id:
        return True
    if item.source not in FACILITATOR_RECORDED:
        return False
    if actor.has_role("facilitator") and item.recorded_by_id == actor.id:
        return True
    return actor.has_role("admin")


def widens(old: ConsentScope, new: ConsentScope) -> bool:
    """Whether going from OLD to NEW allows more than before: analysis given again, a wider
    quoting or publishing level, or the governance group removed or replaced (its kaitiaki
    would no longer decide)."""
    return ((new.analysis and not old.analysis)
            or QUOTE_LEVELS.index(new.quote) > QUOTE_LEVELS.index(old.quote)
            or PUBLISH_LEVELS.index(new.publish) > PUBLISH_LEVELS.index(old.publish)
            or (old.governed_by_id is not None and new.governed_by_id != old.governed_by_id))


def check_agreement(method: str | None, agreed_at: datetime | None, item: FeedbackItem,
                     now: datetime) -> None:
    if method not in AGREEMENT_METHODS or agreed_at is None:
        raise OperationRefused(
            _("This change allows more use of the feedback than its giver agreed to, or "
              "removes its governance group. Record how (%(methods)s) and when they agreed "
              "to it.", methods=", ".join(AGREEMENT_METHODS)), field="agreement_method")
    if agreed_at.tzinfo is None:
        raise TypeError("agreement_at must be timezone-aware")
    if agreed_at > now + _AGREEMENT_CLOCK_SKEW:
        raise OperationRefused(_("The agreement cannot be dated in the future."),
                               field="agreement_at")
    if item.created_at is not None and agreed_at < item.created_at - timedelta(days=1):
        raise OperationRefused(_("The agreement is dated before the feedback was recorded: "
                                 "check the date."), field="agreement_at")


def stakeholder_group_of(organisation: Organisation | None, stated: str | None) -> str | None:
    if organisation is not None:
        if stated is not None:
            raise TypeError("give an organisation or a stakeholder group, not both")
        return organisation.stakeholder_group
    if stated is not None and stated not in STAKEHOLDER_GROUPS:
        raise OperationRefused(_("Unknown stakeholder group “%(group)s”.", group=stated),
                               field="stakeholder_group")
    return stated
