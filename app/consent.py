"""Consent scopes, and the one function that decides what a reader may see of a feedback item.

Every page, report and export asks `visible_to(reader, item, audience=..., approvals=...)`;
queries that must not even load what they may not use pre-filter with `countable_items` and
`quotable_clause`, which encode the same rules in SQL (a test proves they agree).

Audiences (who the output is for):

- "secretariat": analysts coding feedback inside the platform;
- "working_group": reports and exports for the working group and the advisory group;
- "public": published reports, and results fed back to providers.

Who may receive output meant for an audience is the permission matrix's business (and
`audiences_of` says which audiences a person's roles give them); these rules decide what that
output may contain. Only the secretariat rule also looks at the reader's role.

The rules, in order:

1. The item's own author always sees their own text (it is their own data), whatever the scope.
   Being the author never widens what may be quoted or counted.
2. `analysis` False (consent withdrawn): may_count is False and nobody but the author sees
   anything: no text, no quote, no breakdown. The item drops out of every future report.
3. Text: the secretariat audience sees the text when the reader is an analyst (they must read
   it to code it); the working_group audience only when publish is working_group or public; the
   public audience only when publish is public.
4. Quote: never when quote is "none"; never when publish is "none" (publish says who may ever
   see the text, and a quote is the text shown to others, so the secretariat never quotes an
   item nobody else may see); never when the text is not visible to that audience (for the
   secretariat: to an analyst); for a governed item (governed_by_id set) only when the
   governing group's kaitiaki have approved the "quote" use in this consultation. "anonymous"
   gives the quote without attribution; "attributed" adds the author's display name and
   organisation.
5. Breaking results down by a governed item's group (its stakeholder group, iwi_maori or
   pasifika) needs an approved "breakdown" use from the governing group; ungoverned counted
   items may always be broken down (small counts are suppressed by the reports themselves).

Approvals: the newest GovernanceApproval for each (group, use) in a consultation is in force,
so a later "declined" withdraws an earlier "approved" (see `load_approvals`).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, false, or_, select

from app.errors import OperationRefused
from app.feedback import PUBLISH_LEVELS, QUOTE_LEVELS, FeedbackItem

AUDIENCES = ("secretariat", "working_group", "public")

# Which publish levels let each audience see an item's text. The secretariat is different:
# analysts read every countable item, whatever its publish level, to code it.
_PUBLISH_FOR_AUDIENCE = {
    "working_group": ("working_group", "public"),
    "public": ("public",),
}


@dataclass(frozen=True)
class ConsentScope:
    """What the person who gave an item allowed: see DESIGN.md, "Consent and governance"."""

    analysis: bool
    quote: str
    publish: str
    governed_by_id: int | None = None

    def __post_init__(self):
        if not isinstance(self.analysis, bool):
            raise OperationRefused(_("Say whether the feedback may be analysed (yes or no)."),
                                   field="analysis")
        if self.quote not in QUOTE_LEVELS:
            raise OperationRefused(
                _("“%(value)s” is not a quoting choice. Choose one of: %(choices)s.",
                  value=self.quote, choices=", ".join(QUOTE_LEVELS)), field="quote")
        if self.publish not in PUBLISH_LEVELS:
            raise OperationRefused(
                _("“%(value)s” is not a publishing choice. Choose one of: %(choices)s.",
                  value=self.publish, choices=", ".join(PUBLISH_LEVELS)), field="publish")
        if self.governed_by_id is not None and (
            isinstance(self.governed_by_id, bool) or not isinstance(self.governed_by_id, int)
        ):
            raise OperationRefused(_("Choose a governance group from the list."),
                                   field="governed_by_id")

    @classmethod
    def withdrawn(cls, governed_by_id: int | None = None) -> ConsentScope:
        """Consent withdrawn: not counted, never quoted, never published."""
        return cls(analysis=False, quote="none", publish="none", governed_by_id=governed_by_id)

    @classmethod
    def from_item(cls, item: FeedbackItem) -> ConsentScope:
        return cls(analysis=bool(item.consent_analysis), quote=item.consent_quote,
                   publish=item.consent_publish, governed_by_id=item.governed_by_id)

    @classmethod
    def from_json(cls, data: str) -> ConsentScope | None:
        """The scope stored in a ConsentChange; None for the empty first "old" scope ("{}")."""
        values = json.loads(data or "{}")
        if not values:
            return None
        return cls(analysis=values["analysis"], quote=values["quote"],
                   publish=values["publish"], governed_by_id=values.get("governed_by_id"))

    def to_dict(self) -> dict:
        return {"analysis": self.analysis, "quote": self.quote, "publish": self.publish,
                "governed_by_id": self.governed_by_id}

    def to_json(self) -> str:
        """Canonical JSON (sorted keys, no spaces): equal scopes give equal strings."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))

    def apply_to(self, item: FeedbackItem) -> None:
        item.consent_analysis = self.analysis
        item.consent_quote = self.quote
        item.consent_publish = self.publish
        item.governed_by_id = self.governed_by_id


@dataclass(frozen=True)
class Approvals:
    """The (governance group id, use) pairs approved, and in force, for one consultation."""

    approved: frozenset[tuple[int, str]] = field(default_factory=frozenset)

    def allows(self, group_id: int | None, use: str) -> bool:
        return group_id is not None and (group_id, use) in self.approved

    def group_ids(self, use: str) -> frozenset[int]:
        return frozenset(group_id for group_id, approved_use in self.approved
                         if approved_use == use)


NO_APPROVALS = Approvals()


def load_approvals(consultation_id: int) -> Approvals:
    """The approvals in force for a consultation: the newest decision per (group, use) wins.

    Only decisions by people who are, now, kaitiaki of that very group count: a row recorded by
    anyone else (or by someone no longer its kaitiaki) neither grants nor withdraws anything.
    """
    from app.db import Session
    from app.models import UserRole
    from app.privacy.models import GovernanceApproval, kaitiaki_assignment

    rows = Session.execute(
        select(GovernanceApproval.group_id, GovernanceApproval.use, GovernanceApproval.decision)
        .join(kaitiaki_assignment,
              and_(kaitiaki_assignment.c.group_id == GovernanceApproval.group_id,
                   kaitiaki_assignment.c.user_id == GovernanceApproval.decided_by_id))
        .join(UserRole, and_(UserRole.user_id == GovernanceApproval.decided_by_id,
                             UserRole.role == "kaitiaki"))
        .where(GovernanceApproval.consultation_id == consultation_id)
        .order_by(GovernanceApproval.decided_at, GovernanceApproval.id)
    ).all()
    newest: dict[tuple[int, str], str] = {}
    for group_id, use, decision in rows:  # oldest first, so later decisions overwrite
        newest[(group_id, use)] = decision
    return Approvals(frozenset(key for key, decision in newest.items() if decision == "approved"))


@dataclass(frozen=True)
class ItemView:
    """What one reader may see of one item, for one audience."""

    may_count: bool
    text: str | None  # None: this reader may not see the text
    quote: str | None  # the text, when it may be quoted to this audience
    attribution: str | None  # "Name, Organisation" for attributed quotes only
    may_break_down_by_group: bool


def audiences_of(reader) -> tuple[str, ...]:
    """The audiences READER receives output for: everyone the public's; advisory members also
    the working group's (they read its reports); analysts also the secretariat's."""
    audiences = ["public"]
    if reader is not None and reader.has_role("advisory", "analyst"):
        audiences.append("working_group")
    if reader is not None and reader.has_role("analyst"):
        audiences.append("secretariat")
    return tuple(audiences)


def _check_audience(audience: str) -> None:
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}; expected one of {AUDIENCES}")


def _text_visible_to_audience(item: FeedbackItem, audience: str, reader) -> bool:
    """Rule 3, for a counted item and a reader who is not its author."""
    if audience == "secretariat":
        return reader is not None and reader.has_role("analyst")
    return item.consent_publish in _PUBLISH_FOR_AUDIENCE[audience]


def _attribution(item: FeedbackItem) -> str | None:
    parts = [item.author.display_name if item.author else None,
             item.organisation.name if item.organisation else None]
    parts = [part for part in parts if part]
    return ", ".join(parts) or None


def visible_to(reader, item: FeedbackItem, *, audience: str,
               approvals: Approvals = NO_APPROVALS) -> ItemView:
    """What READER (a User, or None for the public) may see of ITEM in output for AUDIENCE.

    The rules are in this module's docstring. APPROVALS come from `load_approvals` for the
    item's consultation.
    """
    _check_audience(audience)
    is_author = (reader is not None and item.author_id is not None
                 and getattr(reader, "id", None) == item.author_id)
    own_text = item.text if is_author else None
    if not item.consent_analysis:
        return ItemView(False, own_text, None, None, False)

    audience_sees_text = _text_visible_to_audience(item, audience, reader)
    text = item.text if (is_author or audience_sees_text) else None

    quote = attribution = None
    if (item.consent_quote != "none" and item.consent_publish != "none" and audience_sees_text
            and (item.governed_by_id is None or approvals.allows(item.governed_by_id, "quote"))):
        quote = item.text
        if item.consent_quote == "attributed":
            attribution = _attribution(item)

    may_break_down = item.governed_by_id is None or approvals.allows(item.governed_by_id,
                                                                     "breakdown")
    return ItemView(True, text, quote, attribution, may_break_down)


# ---------------------------------------------------------------- the same rules in SQL


def countable_items(consultation_id: int):
    """A select() of the items that may be coded and counted in a consultation (rule 2)."""
    return select(FeedbackItem).where(
        FeedbackItem.consultation_id == consultation_id,
        FeedbackItem.consent_analysis.is_(True),
    )


def text_visible_clause(audience: str) -> ColumnElement[bool]:
    """Rules 2-3 as SQL, for a reader entitled to the audience (an analyst for the
    secretariat) who is not the item's author."""
    _check_audience(audience)
    counted = FeedbackItem.consent_analysis.is_(True)
    if audience == "secretariat":
        return counted
    return and_(counted, FeedbackItem.consent_publish.in_(_PUBLISH_FOR_AUDIENCE[audience]))


def quotable_clause(audience: str, approved_quote_group_ids) -> ColumnElement[bool]:
    """Rule 4 as SQL: the items whose text may be quoted to AUDIENCE, given the ids of the
    governance groups with an approved "quote" use (`approvals.group_ids("quote")`)."""
    group_ids = sorted(set(approved_quote_group_ids or ()))
    governed_ok = (FeedbackItem.governed_by_id.in_(group_ids) if group_ids else false())
    return and_(
        text_visible_clause(audience),
        FeedbackItem.consent_quote != "none",
        FeedbackItem.consent_publish != "none",
        or_(FeedbackItem.governed_by_id.is_(None), governed_ok),
    )


def breakdown_clause(approved_breakdown_group_ids) -> ColumnElement[bool]:
    """Rule 5 as SQL: counted items that may be broken down by their group."""
    group_ids = sorted(set(approved_breakdown_group_ids or ()))
    governed_ok = (FeedbackItem.governed_by_id.in_(group_ids) if group_ids else false())
    return and_(FeedbackItem.consent_analysis.is_(True),
                or_(FeedbackItem.governed_by_id.is_(None), governed_ok))
