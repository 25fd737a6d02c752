"""What people read for question kinds, fixed choices and consent answers."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from submissions.models import AGREEMENT_CHOICES, YES_NO_CHOICES

KIND_LABELS = {
    "section": _l("Section heading"),
    "short_text": _l("Short text"),
    "long_text": _l("Long text"),
    "single_choice": _l("Single choice"),
    "multiple_choice": _l("Multiple choice"),
    "agreement": _l("Agreement scale"),
    "yes_no": _l("Yes or no"),
    "ranking": _l("Ranking"),
}
AGREEMENT_LABELS = dict(zip(AGREEMENT_CHOICES, (
    _l("Strongly agree"), _l("Agree"), _l("Neither agree nor disagree"), _l("Disagree"),
    _l("Strongly disagree"), _l("Don't know")), strict=True))
YES_NO_LABELS = dict(zip(YES_NO_CHOICES, (_l("Yes"), _l("No")), strict=True))

CONSENT_ANALYSIS = {"yes": _l("Yes, you may read and count my answers"),
                    "no": _l("No, do not use my answers")}
CONSENT_QUOTE = {
    "none": _l("Do not quote me"),
    "anonymous": _l("You may quote me without my name"),
    "attributed": _l("You may quote me with my name (or my organisation's)"),
}
CONSENT_PUBLISH = {
    "none": _l("Only the secretariat may read my words"),
    "working_group": _l("The working group may read my words"),
    "public": _l("Anyone may read my words, once published"),
}


def option_labels(question) -> list[tuple[str, str]]:
    """(value, label) pairs for QUESTION; free choices use their own text as the value."""
    if question.kind == "agreement":
        return [(value, str(label)) for value, label in AGREEMENT_LABELS.items()]
    if question.kind == "yes_no":
        return [(value, str(label)) for value, label in YES_NO_LABELS.items()]
    return [(choice, choice) for choice in (question.choices or [])]


def answer_text(question, value) -> str:
    """An answer as words: the text itself, or the chosen labels (a ranking in order)."""
    if value in (None, "", []):
        return ""
    if question.kind in ("short_text", "long_text"):
        return str(value)
    labels = dict(option_labels(question))
    if isinstance(value, list):
        if question.kind == "ranking":
            return "; ".join(f"{n}. {labels.get(v, v)}" for n, v in enumerate(value, 1))
        return "; ".join(labels.get(v, v) for v in value)
    return labels.get(value, str(value))
