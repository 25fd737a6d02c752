"""Submissions: views. Public and participant pages in `public`, the form builder in `manage`."""
from __future__ import annotations

from flask import Blueprint

# cli_group=None: the package's commands sit at the top level (`flask import-submissions`).
bp = Blueprint("submissions", __name__, cli_group=None)



@bp.context_processor
def _helpers() -> dict:
    """What the submission templates need beyond their view's values."""
    from submissions.labels import (
        CONSENT_ANALYSIS,
        CONSENT_PUBLISH,
        CONSENT_QUOTE,
        KIND_LABELS,
        answer_text,
    )

    def condition_prompt(question) -> str:
        for other in question.version.questions:
            if other.key == question.show_if_key:
                return other.prompt
        return question.show_if_key or ""

    def change_prompts(version, keys) -> list[str]:
        prompts = {q.key: q.prompt for q in version.questions}
        return [prompts.get(key, key)[:60] for key in keys]

    def max_attachment_mb() -> int:
        from submissions.attachments import max_bytes

        return max_bytes() // (1024 * 1024)

    return {"answer_text": answer_text, "max_attachment_mb": max_attachment_mb, "condition_prompt": condition_prompt,
            "change_prompts": change_prompts, "kind_labels": KIND_LABELS,
            "consent_labels": {"analysis": CONSENT_ANALYSIS, "quote": CONSENT_QUOTE,
                               "publish": CONSENT_PUBLISH}}


from submissions import cli  # noqa: F401  (registers the CLI commands on bp)
from submissions.views import (  # noqa: F401  (the routes)
    guest,
    intake,
    manage,
    public,
    published,
    screening,
)
