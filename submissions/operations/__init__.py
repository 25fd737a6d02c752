"""Submissions: operations (add and flush, never commit; the view, job or CLI commits)."""
from submissions.operations.drafts import (
    DraftConflict,
    add_attachment,
    confirm_guest_email,
    delete_attachment,
    save_draft,
    start_draft,
    submit_draft,
    withdraw_submission,
)
from submissions.operations.forms import (
    add_question,
    create_form,
    delete_question,
    move_question,
    publish_form,
    update_form,
    update_question,
)

__all__ = [
    "DraftConflict",
    "add_attachment",
    "add_question",
    "confirm_guest_email",
    "create_form",
    "delete_attachment",
    "delete_question",
    "move_question",
    "publish_form",
    "save_draft",
    "start_draft",
    "submit_draft",
    "update_form",
    "update_question",
    "withdraw_submission",
]
