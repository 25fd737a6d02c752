"""The consent rules in plain Python: what one reader may see of one feedback item.

This module imports nothing of the database or the models: the rules read an item's attributes
(author_id, text, consent_*, governed_by_id), so FeedbackItem.can_view and the batch form in
`app.corpus.visibility` share them without an import cycle. Import the public names from
`app.corpus.visibility`, which re-exports them beside the same rules in SQL.

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
so a later "declined" withdraws an earlier "approved" (see `visibility.load_approvals`).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.corpus.scope import AUDIENCES

# Which publish levels let each audience see an item's text. The secretariat is different:
# analysts read every countable item, whatever its publish level, to code it.
PUBLISH_FOR_AUDIENCE = {
    "working_group": ("working_group", "public"),
    "public": ("public",),
}


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


@dataclass(frozen=True)
class ItemView:
    """What one reader may see of one item, for one audience."""

    may_count: bool
    text: str | None  # None: this reader may not see the text
    quote: str | None  # the text, when it may be quoted to this audience
    attribution: str | None  # "Name, Organisation" for attributed quotes only
    may_break_down_by_group: bool
    item_id: int | None = None  # the item's id (set by visible_to and visible_items)


def audiences_of(reader) -> tuple[str, ...]:
    """The audiences READER receives output for: everyone the public's; advisory members also
    the working group's (they read its reports); analysts also the secretariat's."""
    audiences = ["public"]
    if reader is not None and reader.has_role("advisory", "analyst"):
        audiences.append("working_group")
    if reader is not None and reader.has_role("analyst"):
        audiences.append("secretariat")
    return tuple(audiences)


def check_audience(audience: str) -> None:
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}; expected one of {AUDIENCES}")


def attribution_of(author_name: str | None, organisation_name: str | None) -> str | None:
    """"Name, Organisation", or whichever of the two is known; None when neither is."""
    parts = [part for part in (author_name, organisation_name) if part]
    return ", ".join(parts) or None


def _text_visible_to_audience(item: Any, audience: str, reader_is_analyst: bool) -> bool:
    """Rule 3, for a counted item and a reader who is not its author."""
    if audience == "secretariat":
        return reader_is_analyst
    return item.consent_publish in PUBLISH_FOR_AUDIENCE[audience]


def decide(reader, item: Any, *, audience: str, approvals: Approvals,
           attribution: Callable[[], str | None]) -> ItemView:
    """The rules, for an ITEM given as anything with a FeedbackItem's columns. ATTRIBUTION is
    called only for an attributed quote, so callers that must load names pay only then."""
    check_audience(audience)
    reader_id = getattr(reader, "id", None) if reader is not None else None
    is_author = reader_id is not None and item.author_id is not None \
        and reader_id == item.author_id
    own_text = item.text if is_author else None
    if not item.consent_analysis:
        return ItemView(False, own_text, None, None, False, item.id)

    reader_is_analyst = reader is not None and reader.has_role("analyst")
    audience_sees_text = _text_visible_to_audience(item, audience, reader_is_analyst)
    text = item.text if (is_author or audience_sees_text) else None

    quote = quoted_by = None
    if (item.consent_quote != "none" and item.consent_publish != "none" and audience_sees_text
            and (item.governed_by_id is None or approvals.allows(item.governed_by_id, "quote"))):
        quote = item.text
        if item.consent_quote == "attributed":
            quoted_by = attribution()

    may_break_down = item.governed_by_id is None or approvals.allows(item.governed_by_id,
                                                                     "breakdown")
    return ItemView(True, text, quote, quoted_by, may_break_down, item.id)


def visible_to(reader, item: Any, *, audience: str,
               approvals: Approvals = NO_APPROVALS) -> ItemView:
    """What READER (a User, or None for the public) may see of ITEM (a FeedbackItem) in output
    for AUDIENCE. The rules are in this module's docstring. APPROVALS come from
    `app.corpus.visibility.load_approvals` for the item's consultation.

    For many items at once use `app.corpus.visibility.visible_items`: it loads authors and
    organisations in the same query instead of one at a time.
    """
    def attribution() -> str | None:
        return attribution_of(item.author.display_name if item.author else None,
                              item.organisation.name if item.organisation else None)

    return decide(reader, item, audience=audience, approvals=approvals,
                  attribution=attribution)
