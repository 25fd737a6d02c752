"""The objects the test suite's route walks put into this package's URLs."""
from __future__ import annotations

from datetime import timedelta

from app.db import utcnow


def route_objects(context) -> dict:
    """A published form with a question, the owner's draft and submission (OWNER's)."""
    from submissions.models import (
        Draft,
        FormVersion,
        Question,
        Submission,
        SubmissionAnswer,
        SubmissionForm,
    )

    session, owner = context.session, context.owner
    form = SubmissionForm(consultation_id=context.consultation.id, title="Walk form",
                          status="published")
    from submissions.guest_models import SubmissionSettings

    if session.get(SubmissionSettings, context.consultation.id) is None:
        session.add(SubmissionSettings(consultation_id=context.consultation.id,
                                       allows_guests=True))
    version = FormVersion(number=1)
    question = Question(key="q1", position=1, kind="long_text", prompt="Walk question?")
    version.questions.append(question)
    form.versions.append(version)
    session.add(form)
    session.flush()
    now = utcnow()
    draft = Draft(form_id=form.id, version_id=version.id, owner_id=owner.id, answers={"q1": "x"},
                  consent={}, version=1, submit_key="walk-draft-key", created_at=now,
                  updated_at=now)
    submitted = Draft(form_id=form.id, version_id=version.id, owner_id=owner.id,
                      answers={"q1": "y"}, consent={}, version=1, submit_key="walk-sub-key",
                      created_at=now - timedelta(hours=1), updated_at=now)
    session.add_all([draft, submitted])
    session.flush()
    submission = Submission(
        reference="KOR-WALK-0001", idempotency_key="walk-sub-key", form_id=form.id,
        version_id=version.id, draft_id=submitted.id, submitted_by_id=owner.id,
        consent={"analysis": True, "quote": "none", "publish": "none", "governed_by_id": None},
        submitted_at=now, updated_at=now)
    submission.answers.append(SubmissionAnswer(question_key="q1", text="y", value="y"))
    session.add(submission)
    session.flush()
    from submissions.attachments import store
    from submissions.models import Attachment

    attachment = Attachment(draft_id=draft.id, stored_name=store(b"Walk attachment text."),
                            filename="walk.txt", kind="txt", size=21, uploaded_at=now)
    session.add(attachment)
    session.flush()
    from app.corpus.models import FeedbackCampaign
    from submissions.screening_models import SubmissionReview

    session.add(SubmissionReview(submission_id=submission.id,
                                 consultation_id=context.consultation.id, flags=["name"],
                                 details={"name": "first name only"}, status="flagged",
                                 reason="", flagged_at=now))
    campaign = FeedbackCampaign(consultation_id=context.consultation.id, question_key="q1",
                                template_text="Walk template text.", member_count=2,
                                kind="exact", detected_at=now)
    session.add(campaign)
    session.flush()
    return {"feedback_campaign": campaign, "submission_attachment": attachment, "submission_form": form, "submission_question": question,
            "submission_draft": draft, "submission": submission}
