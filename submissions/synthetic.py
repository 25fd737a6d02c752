"""Synthetic submissions for demos and benchmarks: `flask --app app seed-demo --submissions N`.

N realistic submissions to the demo form, written with multi-row INSERTs in chunks (one commit
per chunk): varied individual answers built from a pool of sentences, a share of campaign
(template) submissions (word for word, or with a sentence of the person's own and the odd
typo), pseudonyms and first names only, organisations across stakeholder groups, and a few
addresses that submit in bursts. They are recorded as FeedbackItems in bulk (through
app.corpus.operations.record_new_feedback_many) and marked as receipted, so no email is sent
for them; screening and campaign detection are left to the sweeper and the benchmark.
"""
from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import insert, select

from app.corpus.operations import record_new_feedback_many
from app.corpus.scope import ConsentScope
from app.db import Session, utcnow
from app.models import Organisation
from submissions.demo import DEMO_FORM_TITLE
from submissions.models import Submission, SubmissionAnswer, SubmissionForm
from submissions.operations.drafts import REFERENCE_ALPHABET
from submissions.recording import SOURCE

CHUNK = 5000
FIRST = ("Aroha", "Mere", "Tama", "Wiremu", "Sione", "Losa", "Grace", "Liam", "Olivia", "Noah",
         "Amelia", "Jack", "Priya", "Wei", "Hemi", "Ana", "Tevita", "Emma", "Oliver", "Mia")
LAST = ("Ngata", "Tūhoe", "Smith", "Williams", "Brown", "Taylor", "Wilson", "Fa'asavalu",
        "Tupou", "Patel", "Chen", "Walker", "Harris", "Parata", "Kereama", "Thompson")
PSEUDONYMS = ("Anonymous", "A concerned citizen", "Mickey Mouse", "kiwi_voter_77", "Not telling")
# Individual answers are put together from parts (a subject, what should happen to it, a
# qualifier; a reason; a story of the person's own with its people, places and numbers), so
# that, as with real submissions, two people rarely write the same sentences: a pool of whole
# sentences would give the campaign detection thousands of false "campaigns".
SUBJECTS = ("Health records", "Counselling notes", "Family violence history", "Immigration status",
            "Gang affiliation", "Sexual orientation", "Mental health history", "Income details",
            "Addresses of children", "Whakapapa", "Court records", "Disability information",
            "Benefit history", "Addiction treatment notes", "School attendance data",
            "Housing applications", "Pregnancy information", "Foodbank visits", "Budgeting notes",
            "Refuge stays", "Prison records", "Ethnicity", "Iwi affiliation", "Case notes",
            "Client names", "Dates of birth", "Phone numbers", "Medication lists",
            "Custody arrangements", "Debt information")
MODALS = ("should never be", "must not be", "ought not to be", "can only be", "should not be",
          "is far too often", "must never be", "is already", "should no longer be",
          "has no business being")
ACTIONS = ("collected by agencies", "passed to funders", "kept by the ministry",
           "shared with other departments", "sold to researchers", "stored offshore",
           "linked to other datasets", "asked for at the front desk", "matched with tax data",
           "put in one central database", "handed over in monthly reports",
           "used to rank providers", "read by contractors", "kept for decades",
           "demanded as a condition of funding")
QUALIFIERS = ("", " without consent", " in any form", " unless the person agrees",
              " for funding decisions", " just to tick a box", " at all", " without a warrant",
              " outside the service", " by default", " in a way people can identify",
              " without telling the person")
REASON_STARTS = ("People stop trusting services when", "Our clients have told us that",
                 "In my experience", "I have watched whānau give up when",
                 "The evidence from overseas shows that", "Everyone in our community knows that",
                 "Staff at our centre have noticed that", "It is simple:",
                 "From what I have seen in {place},", "After {years} years in this work I know",
                 "My {relative} would tell you that", "Nobody asked us, but")
REASON_ENDS = ("they feel watched.", "their details travel further than they agreed to.",
               "a leak would hurt the most vulnerable first.",
               "data sovereignty matters to Māori.", "small towns make everyone identifiable.",
               "the funder has never explained why it needs this.",
               "the paperwork already eats into the time we have for people.",
               "consent given under pressure is not consent.",
               "people go without help rather than be recorded.",
               "trust takes years to build and a day to lose.",
               "the rules change after the data has been collected.",
               "aggregated figures would tell the ministry everything it needs.")
RELATIVES = ("cousin", "aunty", "neighbour", "son", "daughter", "brother", "sister", "koro",
             "nan", "flatmate", "colleague", "friend", "partner", "uncle")
STORIES = ("stopped going to her counsellor", "would not sign the consent form",
           "lost his place at the programme", "was turned away from a food parcel",
           "found her file had been shared", "gave up on the benefit he was owed",
           "moved to another town to start again", "asked me to fill in the form for him",
           "was asked about her iwi at reception", "waited {n} weeks for an answer",
           "refused to give her address", "had his notes read out in court")
WHEN = ("last year", "in {year}", "a few months ago", "during the lockdowns",
        "when the new contract started", "twice this winter", "after the last review")
CAMPAIGNS = (
    ("I oppose the collection of client-level data by government agencies. Vulnerable people "
     "will stop seeking help if their private details are passed to funders. Agencies should "
     "only receive anonymised, aggregated information, and providers must keep control of "
     "their clients' records."),
    ("As a supporter of the Data Protection Coalition I ask the Ministry to withdraw the "
     "client-level data requirement. Sharing names, addresses and case notes breaks the trust "
     "between people and the services they rely on. Please adopt the coalition's five "
     "principles instead."),
    ("Iwi and hapū must govern data about their own people. Any sharing of Māori client data "
     "needs the agreement of the iwi concerned, and results must come back to the communities "
     "that provided them. Te Tiriti o Waitangi requires nothing less."),
    ("I support the policy. Agencies need good information to fund the right services, and "
     "the privacy safeguards in the draft are strong enough. Please do not water it down "
     "because of a noisy campaign."),
)
ADDED = ("I have seen this first hand in my own family.", "Please listen to us this time.",
         "My cousin stopped going to her counsellor because of this.",
         "I work in a foodbank and our clients are already scared.", "Kia kaha.")


def _typo(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    i = rng.randrange(len(words))
    word = words[i]
    if len(word) > 3:
        j = rng.randrange(len(word) - 1)
        words[i] = word[:j] + word[j + 1] + word[j] + word[j + 2:]
    return " ".join(words)


PLACES = ("Ōtautahi", "Tāmaki Makaurau", "Kirikiriroa", "Te Whanganui-a-Tara", "Ōtepoti",
          "Rotorua", "Whangārei", "Tūranga", "Whakatū", "Waihōpai", "Kāpiti", "Taupō")
ROLES = ("social worker", "nurse", "budget advisor", "youth worker", "volunteer", "parent",
         "kaumātua", "teacher", "counsellor", "student", "GP", "foodbank coordinator")


def _fill(text: str, rng: random.Random) -> str:
    return text.format(place=rng.choice(PLACES), years=rng.randint(2, 40),
                       relative=rng.choice(RELATIVES), n=rng.randint(2, 30),
                       year=rng.randint(2010, 2025))


def _view(rng: random.Random) -> str:
    return (f"{rng.choice(SUBJECTS)} {rng.choice(MODALS)} {rng.choice(ACTIONS)}"
            f"{rng.choice(QUALIFIERS)}.")


def _reason(rng: random.Random) -> str:
    return _fill(f"{rng.choice(REASON_STARTS)} {rng.choice(REASON_ENDS)}", rng)


def _story(rng: random.Random) -> str:
    when = _fill(rng.choice(WHEN), rng)
    return _fill(f"My {{relative}} in {{place}} {rng.choice(STORIES)} {when}.", rng)


def individual_text(rng: random.Random) -> str:
    """A person's own answer: who they are, then what they think and why, in their words
    (views, reasons and a story of their own, the odd typo)."""
    sentences = [_view(rng) for _ in range(rng.randint(1, 3))]
    sentences += [_reason(rng) for _ in range(rng.randint(0, 2))]
    if rng.random() < 0.5:
        sentences.append(_story(rng))
    rng.shuffle(sentences)
    if rng.random() < 0.8:
        sentences.insert(0, f"I am a {rng.choice(ROLES)} in {rng.choice(PLACES)} and have "
                            f"been for {rng.randint(1, 40)} years.")
    if rng.random() < 0.3:
        sentences.append(f"Last year {rng.randint(2, 90)} people in my "
                         f"{rng.choice(('street', 'whānau', 'church', 'team', 'class'))} "
                         f"told me the same.")
    text = " ".join(sentences)
    return _typo(text, rng) if rng.random() < 0.1 else text


def main_answer(rng: random.Random, campaign_share: float) -> str:
    if rng.random() >= campaign_share:
        return individual_text(rng)
    text = CAMPAIGNS[min(int(rng.expovariate(0.9)), len(CAMPAIGNS) - 1)]
    roll = rng.random()
    if roll < 0.25:  # a sentence of the person's own: a common one, or their story
        added = rng.choice(ADDED) if rng.random() < 0.5 else _story(rng)
        text = f"{added} {text}" if rng.random() < 0.5 else f"{text} {added}"
    elif roll < 0.35:
        text = _typo(text, rng)
    return text


def _name(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.03:
        return rng.choice(PSEUDONYMS)
    if roll < 0.10:
        return rng.choice(FIRST)
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _reference(rng: random.Random) -> str:
    chars = "".join(rng.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"KOR-{chars[:4]}-{chars[4:]}"


def _submission_row(n: int, rng: random.Random, form: SubmissionForm, orgs: list, now) -> dict:
    name = _name(rng)
    org = rng.choice(orgs) if orgs and rng.random() < 0.05 else None
    consent = {"analysis": rng.random() < 0.97, "quote": rng.choice(("anonymous", "attributed",
               "none")), "publish": rng.choice(("public", "none")), "governed_by_id": None}
    at = now - timedelta(seconds=rng.randint(0, 86_400 * 14))
    burst = rng.random() < 0.02
    return {"reference": _reference(rng), "idempotency_key": secrets.token_urlsafe(18),
            "form_id": form.id, "version_id": form.current_version.id, "guest_name": name,
            "guest_email": f"{name.split()[0].lower()}.{n}@example.org",
            "organisation_id": org.id if org else None,
            "submitter_role": "Policy advisor" if org else "", "is_authorised": org is not None,
            "consent": consent, "submitted_at": at, "updated_at": at, "recorded_at": now,
            "receipt_sent_at": now, "email_confirmed_at": at if rng.random() < 0.6 else None,
            "source_hash": f"burst{rng.randint(0, 9)}" if burst else secrets.token_hex(8)}


def _answers(rng: random.Random, campaign_share: float) -> dict:
    answers = {"q2": main_answer(rng, campaign_share)}
    if rng.random() < 0.2:
        answers["q3"] = individual_text(rng)
    answers["q7"] = rng.choice(("strongly_agree", "agree", "neutral", "disagree",
                                "strongly_disagree", "dont_know"))
    answers["q8"] = rng.choice(("yes", "no"))
    return answers


def generate(count: int, *, seed: int = 2026, campaign_share: float = 0.45,
             progress: Callable[[int], None] | None = None) -> int:
    """Add COUNT synthetic submissions (and their FeedbackItems) to the demo form; commits
    each chunk. Returns how many were added. Refuses when there is no demo form."""
    from app.errors import OperationRefused

    form = Session.scalar(select(SubmissionForm).where(SubmissionForm.title == DEMO_FORM_TITLE))
    if form is None:
        raise OperationRefused("There is no demo form: run `flask --app app seed-demo` first.")
    from sqlalchemy import func

    # A different stream for each run, so a second run's references do not repeat the first's.
    rng = random.Random(seed + (Session.scalar(select(func.count()).select_from(Submission)) or 0))
    orgs = list(Session.scalars(select(Organisation)))
    groups = {o.id: o.stakeholder_group for o in orgs}
    labels = {q.key: q for q in form.current_version.answerable}
    from submissions.labels import answer_text
    from submissions.recording import closed_answer

    closed: dict = {}
    done = 0
    while done < count:
        size = min(CHUNK, count - done)
        now = utcnow()
        rows = [_submission_row(done + i, rng, form, orgs, now) for i in range(size)]
        table = Submission.__table__  # Core inserts: the ORM's bookkeeping is not needed
        ids = Session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True),
                              rows).scalars().all()
        answer_rows, entries = [], []
        for submission_id, row in zip(ids, rows, strict=True):
            scope = ConsentScope(**row["consent"])
            for key, value in _answers(rng, campaign_share).items():
                if labels[key].kind in ("long_text", "short_text"):
                    text = value
                else:  # closed answers: their label, translated once per value
                    text = closed.get((key, value)) or closed.setdefault(
                        (key, value), answer_text(labels[key], value))
                answer_rows.append({"submission_id": submission_id, "question_key": key,
                                    "value": value, "text": text})
                entries.append({"consultation_id": form.consultation_id, "source": SOURCE,
                                "source_id": f"{submission_id}:{key}", "text": text,
                                "question_key": key, "consent": scope,
                                "created_at": row["submitted_at"],
                                "organisation_id": row["organisation_id"],
                                "stakeholder_group": groups.get(row["organisation_id"]),
                                "closed": closed_answer(labels[key], value)})
        Session.execute(insert(SubmissionAnswer.__table__), answer_rows)
        record_new_feedback_many(None, entries)
        Session.commit()
        done += size
        if progress:
            progress(size)
    return done


def seed_demo_step(context) -> None:
    """The package's demo step: the demo form and submissions (submissions.demo), then the
    synthetic ones `seed-demo --submissions N` asks for, with a progress bar."""
    import click
    from flask import current_app, has_app_context

    from submissions.demo import seed_demo

    seed_demo(context)
    count = int(current_app.config.get("DEMO_SYNTHETIC_SUBMISSIONS") or 0
                ) if has_app_context() else 0
    if count:
        context.session.commit()  # the demo form, before the chunks commit on their own
        with click.progressbar(length=count, label="Synthetic submissions",
                               file=click.get_text_stream("stderr")) as bar:
            generate(count, progress=bar.update)
        context.report.note(True, f"{count} synthetic submissions")
