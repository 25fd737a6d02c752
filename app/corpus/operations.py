"""Writing the feedback corpus. Feature packages call these; they add and flush, never commit
(the view, CLI command or job commits once). What a reader may see is `app.corpus.visibility`.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from app.corpus.checks import (
    check_agreement,
    check_group_exists,
    check_membership,
    is_verified_giver,
    may_change_consent,
    may_record,
    stakeholder_group_of,
    widens,
)
from app.corpus.choices import record_choices, record_choices_many
from app.corpus.closed import ClosedAnswer
from app.corpus.models import ConsentChange, FeedbackItem
from app.corpus.scope import ConsentScope
from app.corpus.sources import is_registered
from app.db import Session, utcnow
from app.errors import OperationRefused
from app.governance.queries import governance_group_exists
from app.models import Consultation, Organisation, User
from app.privacy.audit import record_event


def record_feedback(actor: User | None, *, consultation: Consultation, source: str,
                    source_id: str | int, text: str, author: User | None = None,
                    organisation: Organisation | None = None, question_key: str | None = None,
                    consent: ConsentScope, created_at: datetime | None = None,
                    agreement_method: str | None = None,
                    agreement_at: datetime | None = None,
                    verified_by: str | None = None,
                    stakeholder_group: str | None = None,
                    closed: ClosedAnswer | None = None) -> FeedbackItem:
    """Create or update the FeedbackItem for one source record, found by (source, source_id).

    The item's stakeholder group is its organisation's; STAKEHOLDER_GROUP gives it for
    feedback given with no organisation in the platform (an imported row that states its
    group), and is refused beside an ORGANISATION.

    Creating sets consent version 1, records who recorded it (recorded_by: ACTOR, e.g. the
    analyst importing a row) and the first ConsentChange ("{}" -> CONSENT, by ACTOR). Updating
    changes the text, question and organisation (and so the stakeholder group), and when
    CONSENT differs from the item's, changes it through `update_consent` (which refuses actors
    who may not, and needs AGREEMENT_METHOD and AGREEMENT_AT when it widens the consent). The
    author, consultation and recorder of an item never change.

    CLOSED (an answer to a choice, scale, yes/no or ranking question: its question's label,
    kind and options, and the options chosen) is stored beside the item (`app.corpus.choices`)
    so reports can count answers per option; it needs a QUESTION_KEY. None leaves an existing
    item's choices as they are.

    Refuses: a source not registered in `app.corpus.sources`; empty text; an unknown
    governance group; an ORGANISATION the author is not a member of; a source record that
    already belongs to another consultation; an actor who may not record for this author and
    source; and ACTOR None (a system import) for a record that already exists, unless
    VERIFIED_BY (one of app.corpus.checks.VERIFICATIONS) says the caller verified that the change comes from the
    giver of an item with no author (a person without an account): then the update is allowed
    and audited ("feedback.verified_change").
    """
    if not is_registered(source):
        raise OperationRefused(_("Unknown feedback source “%(source)s”.", source=source),
                               field="source")
    text = (text or "").strip()
    if not text:
        raise OperationRefused(_("Write some feedback before saving."), field="text")
    if not isinstance(consent, ConsentScope):
        raise TypeError("consent must be a ConsentScope")
    if closed is not None and not question_key:
        raise ValueError("a closed answer needs its question key")
    check_group_exists(consent)
    source_id = str(source_id)
    item = Session.scalar(select(FeedbackItem).where(FeedbackItem.source == source,
                                                     FeedbackItem.source_id == source_id))
    verified = is_verified_giver(actor, item, verified_by)
    if item is not None and actor is None and not verified:
        raise OperationRefused(_("This feedback is already recorded. An import may add new "
                                 "feedback, but only a person may change what is there."))
    author = item.author if item is not None else author
    if not verified and not may_record(actor, source, author, creating=item is None):
        raise OperationRefused(_("Only the person who gave this feedback (or, for interviews "
                                 "and workshops, their facilitator) may record it."))
    check_membership(author, organisation)
    stakeholder_group = stakeholder_group_of(organisation, stakeholder_group)

    if item is None:
        now = utcnow()
        item = FeedbackItem(
            consultation_id=consultation.id, source=source, source_id=source_id, text=text,
            author_id=author.id if author is not None else None,
            recorded_by_id=actor.id if actor is not None else None,
            organisation_id=organisation.id if organisation is not None else None,
            stakeholder_group=stakeholder_group, question_key=question_key,
            created_at=created_at or now, updated_at=now, consent_version=1,
        )
        consent.apply_to(item)
        Session.add(item)
        Session.flush()
        Session.add(ConsentChange(
            item_id=item.id, version=1, changed_by_id=actor.id if actor is not None else None,
            changed_at=now, old_scope="{}", new_scope=consent.to_json(),
        ))
        Session.flush()
        if closed is not None:
            record_choices(item, closed)
        return item

    if item.consultation_id != consultation.id:
        raise OperationRefused(_("This feedback already belongs to another consultation."))
    text_changed = item.text != text
    item.text = text
    item.question_key = question_key
    item.organisation_id = organisation.id if organisation is not None else None
    item.stakeholder_group = stakeholder_group
    item.updated_at = utcnow()
    if consent != ConsentScope.from_item(item):
        update_consent(actor, item, consent, reason="updated with the feedback",
                       agreement_method=agreement_method, agreement_at=agreement_at,
                       verified_by=verified_by)
    Session.flush()
    if closed is not None:
        record_choices(item, closed)
    if verified and text_changed:
        record_event(None, "feedback.verified_change", target=item,
                     detail={"verified_by": verified_by, "changed": "text"})
    return item


def update_feedback(actor: User | None, item: FeedbackItem, *, text: str,
                    organisation: Organisation | None = None,
                    question_key: str | None = None,
                    verified_by: str | None = None) -> FeedbackItem:
    """Change an existing item's text, question and organisation, keeping its consent.

    Refuses like `record_feedback` does when rewriting: empty text, an actor who may not
    record for this item's author and source, no actor at all, or an organisation the author
    is not a member of. With no actor, VERIFIED_BY allows the giver of an item with no author
    to change it (see `record_feedback`).
    """
    return record_feedback(actor, consultation=item.consultation, source=item.source,
                           source_id=item.source_id, text=text, author=item.author,
                           organisation=organisation, question_key=question_key,
                           consent=ConsentScope.from_item(item), verified_by=verified_by)


def update_consent(actor: User | None, item: FeedbackItem, new_scope: ConsentScope, *,
                   reason: str = "", ip: str = "", agreement_method: str | None = None,
                   agreement_at: datetime | None = None,
                   verified_by: str | None = None) -> ConsentChange:
    """Change an item's consent scope: bumps consent_version, stores the ConsentChange (who,
    when, old -> new, and the giver's agreement when one was needed) and records
    "consent.changed" in the audit log.

    Who may: the item's author; for interview notes and workshop outputs, the facilitator who
    recorded the item, or an admin giving a REASON (audited with "as_admin"). When anyone but
    the author widens the scope (see `widens`) or removes the governance group, the author's
    recorded agreement is needed: AGREEMENT_METHOD (one of app.corpus.checks.AGREEMENT_METHODS) and
    AGREEMENT_AT (timezone-aware, not in the future).

    ACTOR None with VERIFIED_BY (one of app.corpus.checks.VERIFICATIONS): the caller verified that the change
    comes from the giver of an item with no author (a person without an account, through the
    secret link of their receipt); they count as its author, and the audit event says how they
    were verified.

    Refuses when ACTOR is None (the system never changes consent) unless verified so, or may
    not change it; an admin without a reason; a widening without the agreement; a withdrawal
    undone by anyone but the author; when nothing would change; or when the governance group
    does not exist.
    """
    verified = is_verified_giver(actor, item, verified_by)
    if not verified and not may_change_consent(actor, item):
        raise OperationRefused(_("Only the person who gave this feedback (or, for interviews "
                                 "and workshops, the facilitator who recorded it) may change "
                                 "its consent."))
    is_author = verified or actor.id == item.author_id
    as_admin = (not is_author and not (actor.has_role("facilitator")
                                       and item.recorded_by_id == actor.id))
    reason = (reason or "").strip()
    if as_admin and not reason:
        raise OperationRefused(_("Say why you, as an administrator, are correcting this "
                                 "consent: the reason is kept in the audit log."),
                               field="reason")
    old_scope = ConsentScope.from_item(item)
    if not old_scope.analysis and new_scope.analysis and not is_author:
        raise OperationRefused(_("Consent was withdrawn: only the person who gave this "
                                 "feedback may give it again."))
    if new_scope == old_scope:
        raise OperationRefused(_("The consent is already set that way: nothing to change."))
    check_group_exists(new_scope)
    now = utcnow()
    needs_agreement = not is_author and widens(old_scope, new_scope)
    if needs_agreement:
        check_agreement(agreement_method, agreement_at, item, now)
    else:  # nothing to agree to: keep no agreement that was not needed
        agreement_method = agreement_at = None
    new_scope.apply_to(item)
    item.consent_version = (item.consent_version or 1) + 1
    item.updated_at = now
    change = ConsentChange(
        item_id=item.id, version=item.consent_version,
        changed_by_id=actor.id if actor is not None else None, changed_at=now,
        old_scope=old_scope.to_json(), new_scope=new_scope.to_json(), reason=reason,
        agreement_method=agreement_method, agreement_at=agreement_at,
    )
    Session.add(change)
    Session.flush()
    detail = {"version": item.consent_version, "old": old_scope.to_dict(),
              "new": new_scope.to_dict(), "reason": reason}
    if as_admin:
        detail["as_admin"] = True
    if verified:
        detail["verified_by"] = verified_by
    if needs_agreement:
        detail["agreement"] = {"method": agreement_method,
                               "at": agreement_at.isoformat()}
    record_event(actor, "consent.changed", target=item, ip=ip, detail=detail)
    return change


def withdraw_consent(actor: User | None, item: FeedbackItem, *, reason: str = "",
                     ip: str = "", verified_by: str | None = None) -> ConsentChange:
    """Withdraw consent: not analysed, never quoted, never published, from now on.

    Refuses like `update_consent` (which VERIFIED_BY is passed to), and when consent is
    already withdrawn.
    """
    return update_consent(actor, item, ConsentScope.withdrawn(item.governed_by_id),
                          reason=reason, ip=ip, verified_by=verified_by)


REDACTED = "[redacted]"
REDACTING_ROLES = ("analyst", "admin")


def redact_feedback(actor: User | None, item: FeedbackItem, passages: list[str], *,
                    reason: str, ip: str = "") -> FeedbackItem:
    """Staff redaction: replace each of PASSAGES in ITEM's text with "[redacted]", so every
    reader of the corpus (analysis, public reports) gets the redacted text. Only the passages
    go: staff never rewrite what someone said. The original stays with the feature that
    collected it (e.g. the submission's answer, for the secretariat); the audit event keeps the
    REASON, never the passage.

    Refuses an actor who is not an analyst or admin, an empty reason, and a passage that is
    not in the item's text.
    """
    if actor is None or not actor.has_role(*REDACTING_ROLES):
        raise OperationRefused(_("Only analysts may redact feedback."))
    reason = (reason or "").strip()
    if not reason:
        raise OperationRefused(_("Say why the passage is redacted."), field="reason")
    passages = [p for p in (passage.strip() for passage in passages) if p]
    if not passages or any(p not in item.text for p in passages):
        raise OperationRefused(_("Copy the passage exactly as it appears in the feedback."),
                               field="passage")
    text = item.text
    for passage in passages:
        text = text.replace(passage, REDACTED)
    item.text = text
    item.updated_at = utcnow()
    Session.flush()
    record_event(actor, "feedback.redacted", target=item, ip=ip,
                 detail={"reason": reason[:500], "passages": len(passages)})
    return item


def record_new_feedback_many(actor: User | None, entries: list[dict]) -> int:
    """Create many FeedbackItems at once for source records not recorded yet (an intake batch,
    a big import, synthetic demo data): the same rows `record_feedback` makes for a new item
    (the item at consent version 1 and its first ConsentChange), in two multi-row INSERTs.

    Each entry: consultation_id, source, source_id, text, question_key, consent (a
    ConsentScope), created_at, and optionally author_id, organisation_id, stakeholder_group,
    and closed (a ClosedAnswer, as for `record_feedback`).
    The caller guarantees the records are new and each author belongs to its organisation
    (for updates use `record_feedback`, which checks). Refuses like record_feedback: an
    unknown source, an unknown governance group, an actor who may not record for an author.
    Entries with empty text are skipped. Returns the number of items created.
    """
    from sqlalchemy import insert

    entries = [e for e in entries if (e.get("text") or "").strip()]
    if not entries:
        return 0
    for source in {e["source"] for e in entries}:
        if not is_registered(source):
            raise OperationRefused(_("Unknown feedback source “%(source)s”.", source=source))
    for group_id in {e["consent"].governed_by_id for e in entries} - {None}:
        if not governance_group_exists(group_id):
            raise OperationRefused(_("That governance group does not exist. Choose one from "
                                     "the list."), field="governed_by_id")
    if (actor is not None
            and any(e.get("author_id") not in (None, actor.id) for e in entries)
            and not all(may_record(actor, e["source"], None, creating=True) for e in entries)):
        raise OperationRefused(_("Only the person who gave this feedback may record it."))
    now = utcnow()
    rows = [{"consultation_id": e["consultation_id"], "source": e["source"],
             "source_id": str(e["source_id"]), "text": e["text"].strip(),
             "author_id": e.get("author_id"), "recorded_by_id": getattr(actor, "id", None),
             "organisation_id": e.get("organisation_id"),
             "stakeholder_group": e.get("stakeholder_group"),
             "question_key": e.get("question_key"), "created_at": e.get("created_at") or now,
             "updated_at": now, "consent_version": 1,
             "consent_analysis": e["consent"].analysis, "consent_quote": e["consent"].quote,
             "consent_publish": e["consent"].publish,
             "governed_by_id": e["consent"].governed_by_id} for e in entries]
    items = FeedbackItem.__table__  # Core inserts: thousands of rows, no ORM bookkeeping
    ids = Session.execute(insert(items).returning(items.c.id, sort_by_parameter_order=True),
                          rows).scalars().all()
    Session.execute(insert(ConsentChange.__table__), [
        {"item_id": item_id, "version": 1, "changed_by_id": getattr(actor, "id", None),
         "changed_at": now, "old_scope": "{}", "new_scope": e["consent"].to_json()}
        for item_id, e in zip(ids, entries, strict=True)])
    record_choices_many([(item_id, e["consultation_id"], e.get("question_key"), e["closed"])
                         for item_id, e in zip(ids, entries, strict=True)
                         if e.get("closed") is not None])
    return len(ids)
