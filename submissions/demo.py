"""Demo data: a published form for the demo consultation, some submissions and a draft."""
from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select

from app.db import utcnow
from submissions.labels import answer_text
from submissions.models import (
    Draft,
    FormVersion,
    Question,
    Submission,
    SubmissionAnswer,
    SubmissionForm,
)

DEMO_FORM_TITLE = "Written submission on the data protection and use policy"

# The four questions of the consultation summary (app/seed.py), then closed questions.
QUESTIONS = [
    ("section", "About the draft policy", "", []),
    ("long_text", "Is there any client-level data you think agencies should never collect? Why?",
     "", []),
    ("long_text", ("What would make you, or the people you work with, comfortable sharing "
     "information?"), "", []),
    ("long_text", "How should iwi, hapū and Pasifika groups take part in governing this data?",
     "", []),
    ("long_text", "What should happen when a provider or a client says no?", "", []),
    ("section", "A few quick questions", "", []),
    ("agreement", "Agencies should need a stated purpose before asking for client-level data.",
     "", []),
    ("yes_no", "Does your organisation share client-level data with a funder today?", "", []),
    ("multiple_choice", "Which protections matter most to you?", "Choose any.",
     ["Data held in New Zealand", "Access logged and reviewed", ("Published privacy "
      "assessments"), "Results returned to providers"]),
]

SUBMISSIONS = [  # (account, organisation name or None, role, answers to q2..q5, agreement, yes/no)
    ("participant2", "Lalaga Pasifika Family Services", "Chief executive",
     ["Church and family-group membership: it is not the funder's business.",
      "Knowing our community decides how its data is used.",
      "Through a Pasifika data governance group with a real veto.",
      "The family keeps the service, and no one is penalised."], "strongly_agree", "yes"),
    ("participant", "Harbourside Family Services", "Operations manager",
     ["Case notes about family violence should never leave the provider.",
      "A clear, short purpose statement and an independent audit.",
      "Iwi should co-design the rules, not just be consulted.",
      "Funding must not depend on sharing identifiable data."], "agree", "yes"),
]


def _build_form(consultation) -> SubmissionForm:
    form = SubmissionForm(consultation_id=consultation.id, title=DEMO_FORM_TITLE,
                          intro="Tell the working group what you think of the draft policy. "
                                "You can answer as yourself or for your organisation.",
                          status="published", created_at=utcnow())
    version = FormVersion(number=1, created_at=utcnow())
    for n, (kind, prompt, help_text, choices) in enumerate(QUESTIONS, 1):
        version.questions.append(Question(key=f"q{n}", position=n, kind=kind, prompt=prompt,
                                          help_text=help_text, choices=choices,
                                          is_required=n == 2))
    form.versions.append(version)
    return form


# Paper forms typed in by the secretariat: the quick questions only, from providers across
# the stakeholder groups, so the demo report has closed-question results above the
# suppression threshold. Deterministic: answer n cycles through the options.
PAPER_SUBMISSIONS = 36
PAPER_LABEL = f"{PAPER_SUBMISSIONS} paper submissions (closed questions)"
_AGREEMENT = ("strongly_agree", "agree", "agree", "neutral", "disagree", "strongly_agree",
              "agree", "dont_know", "strongly_disagree")
_PROTECTIONS = ("Data held in New Zealand", "Access logged and reviewed",
                "Published privacy assessments", "Results returned to providers")


def _paper_answers(n: int) -> dict:
    return {"q7": _AGREEMENT[n % len(_AGREEMENT)], "q8": "yes" if n % 3 else "no",
            "q9": [_PROTECTIONS[n % 4], *([_PROTECTIONS[(n + 1) % 4]] if n % 2 else [])]}


def _paper_submissions(context, form, now) -> None:
    """PAPER_SUBMISSIONS guest submissions with only the closed questions answered, recorded
    into the corpus as the intake sweeper records imported ones."""
    from submissions.operations.drafts import new_reference
    from submissions.recording import record_answers

    version = form.current_version
    by_key = {q.key: q for q in version.answerable}
    organisations = list(context.organisations.values())
    for n in range(PAPER_SUBMISSIONS):
        organisation = organisations[n % len(organisations)] if organisations else None
        answers = _paper_answers(n)
        submission = Submission(
            reference=new_reference(), idempotency_key=f"demo-paper-{n}", form_id=form.id,
            version_id=version.id, organisation_id=organisation.id if organisation else None,
            guest_name=f"Paper form {n + 1}", is_authorised=organisation is not None,
            consent={"analysis": True, "quote": "none", "publish": "working_group",
                     "governed_by_id": None},
            submitted_at=now - timedelta(days=2, hours=n), updated_at=now,
            receipt_sent_at=now)
        submission.answers = [SubmissionAnswer(question_key=k, value=v,
                                               text=answer_text(by_key[k], v))
                              for k, v in answers.items()]
        context.session.add(submission)
        context.session.flush()
        record_answers(submission)
    context.report.note(True, PAPER_LABEL)


def seed_demo(context) -> None:
    """The demo form, two organisation submissions, one from a person without an account,
    and a draft in progress for the demo participant. Idempotent."""
    from submissions.operations.drafts import consent_scope_dict, new_reference
    from submissions.recording import record_answers

    session = context.session
    existing = session.scalar(select(SubmissionForm).where(
        SubmissionForm.consultation_id == context.consultation.id,
        SubmissionForm.title == DEMO_FORM_TITLE))
    labels = ["submission form", *(f"demo submission {n}" for n in range(1, 4)),
              PAPER_LABEL, "submission draft for the demo participant"]
    if existing is not None:
        for label in labels:
            context.report.note(False, label)
        return
    context.report.note(True, labels[0])
    form = _build_form(context.consultation)
    session.add(form)
    # Open to people without an account, as a national consultation would be.
    from submissions.guest_models import SubmissionSettings

    if session.get(SubmissionSettings, context.consultation.id) is None:
        session.add(SubmissionSettings(consultation_id=context.consultation.id,
                                       allows_guests=True))
    session.flush()
    version = form.current_version
    governed = context.governance_groups.get("Lalaga Pasifika Collective")
    now = utcnow()
    entries = [*SUBMISSIONS, ("guest", None, "", [
        "My mental health history.", "Being asked first, every time.",
        "They should lead it for their own people.", ("Nothing bad should happen to the "
        "person who says no.")], "agree", "no")]
    for n, (who, org_name, role, texts, agree, shares) in enumerate(entries):
        person = context.accounts.get(who)
        organisation = context.organisations.get(org_name) if org_name else None
        answers = {f"q{i}": text for i, text in enumerate(texts, 2)}
        answers.update({"q7": agree, "q8": shares, "q9": ["Data held in New Zealand"]})
        consent = {"analysis": "yes", "quote": "anonymous", "publish": "public",
                   "governed_by": governed.id if governed and n == 0 else None}
        draft = Draft(form_id=form.id, version_id=version.id,
                      owner_id=person.id if person else None,
                      organisation_id=organisation.id if organisation else None,
                      guest_name="" if person else "Mere Tūhoe",
                      guest_email="" if person else "mere@example.org",
                      answers=answers, consent=consent, submitter_role=role,
                      is_authorised=organisation is not None, version=2,
                      submit_key=secrets.token_urlsafe(24), created_at=now, updated_at=now)
        session.add(draft)
        session.flush()
        by_key = {q.key: q for q in version.answerable}
        submission = Submission(
            reference=new_reference(), idempotency_key=draft.submit_key, form_id=form.id,
            version_id=version.id, draft_id=draft.id,
            submitted_by_id=person.id if person else None,
            organisation_id=organisation.id if organisation else None, submitter_role=role,
            is_authorised=organisation is not None, guest_name=draft.guest_name,
            guest_email=draft.guest_email, consent=consent_scope_dict(consent),
            submitted_at=now - timedelta(days=1 + n), updated_at=now,
            # The organisations' are published; the guest's waits for an analyst's redaction.
            published_at=now if organisation is not None else None,
            receipt_sent_at=now)  # demo data: no receipt email owed
        submission.answers = [SubmissionAnswer(question_key=k, value=v,
                                               text=answer_text(by_key[k], v))
                              for k, v in answers.items()]
        session.add(submission)
        session.flush()
        record_answers(submission)
        context.report.note(True, f"demo submission {n + 1}")
    _paper_submissions(context, form, now)
    participant = context.accounts["participant"]
    session.add(Draft(form_id=form.id, version_id=version.id, owner_id=participant.id,
                      answers={"q2": "I am still thinking about this one: "},
                      consent={}, version=2, submit_key=secrets.token_urlsafe(24),
                      created_at=now, updated_at=now, updated_by_id=participant.id))
    session.flush()
    context.report.note(True, "submission draft for the demo participant")
