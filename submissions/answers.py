"""Reading answers from a posted form and checking them against a form version.

Field names: `answer-<key>` for every question (a list for multiple choice), and
`answer-<key>-<n>` (the rank given to option n) for ranking questions. Pure functions: no
database, no request; the views pass `request.form`.
"""
from __future__ import annotations

from flask_babel import gettext as _

from submissions.labels import CONSENT_PUBLISH, CONSENT_QUOTE

DEFAULT_MAX_CHARS = 20_000


def field_name(question) -> str:
    return f"answer-{question.key}"


def read_answers(version, formdata) -> dict:
    """{key: value} from FORMDATA for every answerable question of VERSION (what was
    typed, unchecked: a draft keeps whatever the person wrote)."""
    answers: dict = {}
    for q in version.answerable:
        name = field_name(q)
        if q.kind == "multiple_choice":
            value = [v for v in formdata.getlist(name) if v]
        elif q.kind == "ranking":
            value = _read_ranking(q, formdata)
        else:
            value = (formdata.get(name) or "").replace("\r\n", "\n")
            if q.kind not in ("short_text", "long_text"):
                value = value.strip()
        if value not in ("", []):
            answers[q.key] = value
    return answers


def _read_ranking(question, formdata) -> list:
    ranks = []
    for n, (value, _label) in enumerate(question.options):
        raw = (formdata.get(f"{field_name(question)}-{n}") or "").strip()
        if raw.isdigit():
            ranks.append((int(raw), n, value))
    return [value for _rank, _n, value in sorted(ranks)]


def is_shown(question, answers: dict) -> bool:
    """Whether QUESTION applies given ANSWERS (its condition is met, or it has none)."""
    if not question.show_if_key:
        return True
    given = answers.get(question.show_if_key)
    if isinstance(given, list):
        return question.show_if_value in given
    return given == question.show_if_value


def applicable_answers(version, answers: dict) -> dict:
    """ANSWERS without those to questions whose condition is not met (nor unknown keys)."""
    return {q.key: answers[q.key] for q in version.answerable
            if q.key in answers and is_shown(q, answers)}


def check_answers(version, answers: dict) -> dict[str, str]:
    """{key: what to fix} for ANSWERS against VERSION; empty when they may be submitted."""
    errors: dict[str, str] = {}
    for q in version.answerable:
        if not is_shown(q, answers):
            continue
        value = answers.get(q.key)
        if value in (None, "", []) or (isinstance(value, str) and not value.strip()):
            if q.is_required:
                errors[q.key] = _("Answer this question: it is required.")
            continue
        allowed = {v for v, _label in q.options}
        if q.kind in ("short_text", "long_text"):
            limit = q.max_chars or DEFAULT_MAX_CHARS
            if len(value) > limit:
                errors[q.key] = _("Shorten this answer to %(limit)d characters (it has "
                                  "%(count)d).", limit=limit, count=len(value))
        elif q.kind == "multiple_choice":
            if not isinstance(value, list) or not set(value) <= allowed:
                errors[q.key] = _("Choose from the options given.")
        elif q.kind == "ranking":
            if not isinstance(value, list) or set(value) - allowed or len(set(value)) != len(value):
                errors[q.key] = _("Give each option a different rank.")
        elif value not in allowed:
            errors[q.key] = _("Choose one of the options given.")
    return errors


def read_consent(formdata) -> dict:
    """The consent answers as typed (checked by check_consent)."""
    governed = (formdata.get("consent-governed_by") or "").strip()
    return {"analysis": (formdata.get("consent-analysis") or "").strip(),
            "quote": (formdata.get("consent-quote") or "").strip(),
            "publish": (formdata.get("consent-publish") or "").strip(),
            "governed_by": int(governed) if governed.isdigit() else None}


def check_consent(consent: dict, group_ids: set[int]) -> dict[str, str]:
    errors = {}
    if consent.get("analysis") not in ("yes", "no"):
        errors["analysis"] = _("Say whether we may read and count your answers.")
    if consent.get("quote") not in CONSENT_QUOTE:
        errors["quote"] = _("Say whether we may quote you.")
    if consent.get("publish") not in CONSENT_PUBLISH:
        errors["publish"] = _("Say who may read your words.")
    if consent.get("governed_by") is not None and consent["governed_by"] not in group_ids:
        errors["governed_by"] = _("Choose a governance group from the list, or none.")
    return errors


def changed_keys(old: dict, new: dict) -> list[str]:
    return sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
