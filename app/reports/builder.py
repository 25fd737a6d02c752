"""Build a report's content: every figure and quote, already safe for its audience.

Reads only the corpus (through its visibility rules) and app.analysis. The result is a
JSON-ready dict stored in the build snapshot; every export renders it and nothing else, so the
consent and disclosure rules are applied once, here, for every format.

- Counts: coded items per theme, broken down by stakeholder group and by stance; participation
  by source and group. A campaign (one template sent by many) counts once, under the group of
  its first signatory; its signatories are listed in the overview. Items governed by a group
  whose kaitiaki have not approved a breakdown are counted only in the totals (in "Not stated
  or not broken down") and the report says so.
- Every count goes through `app.reports.confidentiality` (suppression 1-5, secondary
  suppression, RR3 seeded by the report's seed and the cell).
- Closed questions: answers per option, overall and by group, from the corpus's structured
  answers (`app.reports.closed`), one protected table per question.
- Quotes: only what `app.corpus.visibility` allows the audience: never withdrawn, never
  `quote none` or `publish none`, attribution only when attributed, the publish scope
  respected, governed items only with their kaitiaki's approval.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select

from app.analysis.queries import active_themes, current_codebook, method_notes
from app.corpus.models import ConsentChange, FeedbackItem
from app.corpus.rules import Approvals
from app.corpus.sources import source_label
from app.corpus.visibility import load_approvals, visible_items
from app.db import Session, utcnow
from app.models import STAKEHOLDER_GROUPS, Consultation
from app.reports.closed import closed_results, question_tables
from app.reports.coded import theme_counts
from app.reports.confidentiality import SUPPRESSED, protect_count
from app.reports.filters import ReportFilters
from app.reports.participation import UNSTATED, participation
from app.reports.quotes import governed_quote_candidates, quote_candidates
from app.reports.tables import make_table, row_of

STANCES = (("supports", "Supports"), ("opposes", "Opposes"), ("mixed", "Mixed"),
           ("unclear", "Unclear"), ("none", "Not recorded"))
STANCE_PHRASES = {"supports": "supported it", "opposes": "opposed it",
                  "mixed": "had mixed views", "unclear": "took no clear position"}
MAX_QUOTES = 5
Progress = Callable[[int, int, str], None]


def group_columns() -> list[tuple[str, str]]:
    return [*((key, str(label)) for key, label in STAKEHOLDER_GROUPS.items()),
            (UNSTATED, "Not stated or not broken down")]


@dataclass(frozen=True)
class BuildInputs:
    filters: ReportFilters
    codebook_version: int | None
    consent_digest: str
    approvals: Approvals


# (database, consultation id) -> (consent stamp, digest): the public "what we heard" page checks
# on every view that its build is current; the stamp is read from indexes, the digest (a pass
# over every item) only when the stamp has moved.
_DIGESTS: dict[tuple[str, int], tuple[tuple, str]] = {}


def consent_digest(consultation_id: int) -> str:
    """Changes whenever any item's consent changes (every change bumps its consent_version)
    or an item is added: count and sum of versions, and how many are countable. Kept while
    the consultation's consent stamp stands still."""
    key = (Session.connection().engine.url.render_as_string(hide_password=True),
           consultation_id)
    stamp = _consent_stamp(consultation_id)
    cached = _DIGESTS.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    digest = _count_digest(consultation_id)
    _DIGESTS[key] = (stamp, digest)
    return digest


def _consent_stamp(consultation_id: int) -> tuple:
    """What moves with every consent change and every item added or removed, read from
    indexes only: the newest consent change (each change writes one, in
    `app.corpus.operations`), the newest item, and the consultation's item count."""
    return tuple(Session.execute(select(
        select(func.max(ConsentChange.id)).scalar_subquery(),
        select(func.max(FeedbackItem.id)).scalar_subquery(),
        select(func.count(FeedbackItem.id))
        .where(FeedbackItem.consultation_id == consultation_id).scalar_subquery())).one())


def _count_digest(consultation_id: int) -> str:
    count, versions, countable = Session.execute(
        select(func.count(FeedbackItem.id), func.coalesce(func.sum(FeedbackItem.consent_version), 0),
               func.count(FeedbackItem.id).filter(FeedbackItem.consent_analysis.is_(True)))
        .where(FeedbackItem.consultation_id == consultation_id)).one()
    return f"{count}:{versions}:{countable}"


def current_inputs(report) -> BuildInputs:
    codebook = current_codebook(report.consultation_id)
    return BuildInputs(ReportFilters.from_json(report.filters),
                       codebook.version if codebook else None,
                       consent_digest(report.consultation_id),
                       load_approvals(report.consultation_id))


def build_content(report, progress: Progress | None = None) -> tuple[dict, BuildInputs, dict]:
    """The content of a new build of REPORT, the inputs it used, and what it withheld for
    want of a kaitiaki approval (group id -> quotes and themes), which goes only into the
    approval requests, never into the content."""
    step = progress or (lambda done, total, message: None)
    inputs = current_inputs(report)
    cid, seed = report.consultation_id, report.seed
    codebook = current_codebook(cid)
    themes = active_themes(codebook.id) if codebook else []
    if inputs.filters.themes:
        themes = [theme for theme in themes if theme.id in set(inputs.filters.themes)]
    step(1, 5, "Counting the coded feedback")
    counts = _theme_counts(cid, inputs, {theme.id for theme in themes})
    mentions = make_table("mentions", "Mentions by stakeholder group", counts.by_group,
                          [(t.id, t.name) for t in themes], group_columns(),
                          row_label="Theme", seed=seed)
    stances = make_table("stances", "Stance", counts.by_stance,
                         [(t.id, t.name) for t in themes], list(STANCES), row_label="Theme",
                         seed=seed)
    step(2, 5, "Choosing the quotes consent allows")
    quotes, pending_quotes = _quotes(report, inputs, themes)
    step(3, 5, "Counting participation and closed questions")
    overview = _overview(cid, inputs, seed)
    closed, closed_unapproved = closed_results(cid, inputs, seed, group_columns())
    step(4, 5, "Writing the method notes")
    content = {
        "title": report.title,
        "audience": report.audience,
        "consultation": Session.get(Consultation, cid).title,
        "built_at": utcnow().isoformat(),
        "tables": [overview["participation"], mentions, stances,
                   *(table for result in closed for table in question_tables(result))],
        "overview": overview,
        "themes": [_theme_section(theme, mentions, stances, quotes.get(theme.id, []))
                   for theme in themes],
        "closed_questions": closed,
        "withheld": [],
        "method": _method(cid, inputs, seed),
    }
    withheld = _withheld(counts.unapproved_breakdown, pending_quotes, closed_unapproved)
    content["withheld"] = [{"group": entry["group"], "breakdown": entry["breakdown"],
                            "quotes": bool(entry["quotes"])} for entry in withheld]
    step(5, 5, "Done")
    return content, inputs, {entry["group_id"]: entry for entry in withheld}


@dataclass
class _Counts:
    by_group: dict
    by_stance: dict
    unapproved_breakdown: dict  # group id -> theme ids whose counts it is missing from


def _theme_counts(cid: int, inputs: BuildInputs, theme_ids: set[int]) -> _Counts:
    return _Counts(*theme_counts(cid, inputs.filters, theme_ids, inputs.approvals))


def _quotes(report, inputs: BuildInputs, themes) -> tuple[dict, dict]:
    """Per theme, the quotes the audience may see (with attribution only when attributed);
    and per governed group, the quotes waiting for its kaitiaki."""
    cid, theme_ids = report.consultation_id, [theme.id for theme in themes]
    allowed = quote_candidates(cid, report.audience, inputs.approvals, inputs.filters,
                               theme_ids, MAX_QUOTES)
    views = {view.item_id: view for view in visible_items(
        None, cid, audience=report.audience, approvals=inputs.approvals,
        item_ids={item_id for _, item_id in allowed})}
    quotes: dict = defaultdict(list)
    for theme_id, item_id in allowed:
        view = views.get(item_id)
        if view is not None and view.quote is not None:  # the one rule function decides
            quotes[theme_id].append({"item": item_id, "text": view.quote,
                                     "attribution": view.attribution})
    names = {theme.id: theme.name for theme in themes}
    pending: dict = defaultdict(list)
    for theme_id, item_id, group_id, text in governed_quote_candidates(
            cid, report.audience, inputs.approvals, inputs.filters, theme_ids, MAX_QUOTES):
        pending[group_id].append({"item": item_id, "theme": names[theme_id], "text": text})
    return quotes, pending


def _theme_section(theme, mentions: dict, stances: dict, quotes: list) -> dict:
    groups = row_of(mentions, str(theme.id))
    stance = row_of(stances, str(theme.id))
    return {"id": theme.id, "name": theme.name, "description": theme.description or "",
            "parent_id": theme.parent_id, "colour": theme.colour, "mentions": groups,
            "stances": stance, "summary": _summary(groups, stance), "quotes": quotes}


def _summary(groups: dict, stance: dict) -> list[str]:
    """"Most said / some said" lines, from the rounded shares only."""
    lines = []
    for key, share in zip([k for k, _ in STANCES], stance["shares"], strict=False):
        if key == "none" or share in (SUPPRESSED, "–"):
            continue
        value = int(share.rstrip("%"))
        if value > 50:
            lines.append(f"Most who raised this theme {STANCE_PHRASES[key]}.")
        elif value >= 20:
            lines.append(f"Some who raised this theme {STANCE_PHRASES[key]}.")
    for label, share in zip(groups["labels"], groups["shares"], strict=False):
        if share not in (SUPPRESSED, "–") and int(share.rstrip("%")) > 50 \
                and label != "Not stated or not broken down":
            lines.append(f"Most mentions came from: {label}.")
    return lines


def _withheld(unapproved_breakdown: dict, pending_quotes: dict,
              closed_unapproved: dict) -> list[dict]:
    """Per governed group: what waits for its kaitiaki (the themes and closed questions whose
    group breakdown leaves it out, the quotes not shown)."""
    from app.governance.models import GovernanceGroup

    group_ids = sorted(set(unapproved_breakdown) | set(pending_quotes) | set(closed_unapproved))
    notes = []
    for group_id in group_ids:
        group = Session.get(GovernanceGroup, group_id)
        themes = sorted(unapproved_breakdown.get(group_id, ()))
        questions = closed_unapproved.get(group_id, [])
        notes.append({"group_id": group_id, "group": group.name if group else "",
                      "breakdown": bool(themes or questions),
                      "quotes": pending_quotes.get(group_id, []),
                      "themes": themes, "questions": questions})
    return notes


def _overview(cid: int, inputs: BuildInputs, seed: str) -> dict:
    counts, sources, campaigns = participation(cid, inputs)
    table = make_table("participation", "Participation by source and stakeholder group",
                       counts, [(s, str(source_label(s))) for s in sources], group_columns(),
                       row_label="Source", seed=seed)
    return {"participation": table,
            "campaigns": [{"id": c_id, "question": question, "kind": kind,
                           "signatories": protect_count(members, seed=seed,
                                                        key=f"campaign\x1f{c_id}")}
                          for c_id, question, kind, members in campaigns]}


def _method(cid: int, inputs: BuildInputs, seed: str) -> dict:
    notes = method_notes(cid)
    safe = {name: protect_count(getattr(notes, name), seed=seed, key=f"method\x1f{name}")
            for name in ("items_total", "items_coded_by_analysts",
                         "items_coded_by_model_accepted", "suggestions_pending")}
    agreement = notes.analyst_agreement
    model = notes.model_agreement
    return {"codebook_version": inputs.codebook_version, **safe,
            "analyst_kappa": None if agreement.kappa is None else round(agreement.kappa, 2),
            "model_f1": None if model is None else [round(model.f1, 2), round(model.low, 2),
                                                    round(model.high, 2)],
            "discovery": None if notes.last_discovery is None else {
                "method": notes.last_discovery.method, "seed": notes.last_discovery.seed},
            "filters": inputs.filters.describe()}


