# ruff: noqa: F401, F811  (pytest fixtures imported from submission_support, named as arguments)
"""Campaign detection on crafted cases (app.corpus.campaigns), the campaign pages, and the
screening queue's flags and decisions (submissions.screening)."""
from __future__ import annotations

import re

from intake_support import answers, form_page, submit
from sqlalchemy import select
from submission_support import analyst, make_form, run_recording_jobs, token_of

from app.corpus.campaigns import detect_campaigns, own_text
from app.corpus.models import FeedbackCampaign, FeedbackItem
from app.corpus.operations import record_new_feedback_many
from app.corpus.scope import ConsentScope
from app.db import Session
from app.privacy.models import AuditEvent
from submissions.screening import content_flags, decide, name_problem, screen, screen_ids
from submissions.screening_models import SubmissionReview

TEMPLATE = ("I oppose the collection of client-level data by government agencies. Vulnerable "
            "people will stop seeking help if their private details are passed to funders. "
            "Agencies should only receive anonymised, aggregated information.")
QUOTE = "“The right to privacy is the right to be left alone,” as the judge said."
SCOPE = ConsentScope(analysis=True, quote="anonymous", publish="none")


def _items(consultation, texts: list[str], question: str = "q2") -> list[FeedbackItem]:
    record_new_feedback_many(None, [
        {"consultation_id": consultation.id, "source": "submission_answer",
         "source_id": f"{900000 + n}:{question}", "text": text, "question_key": question,
         "consent": SCOPE} for n, text in enumerate(texts)])
    Session.commit()
    return list(Session.scalars(select(FeedbackItem).where(
        FeedbackItem.consultation_id == consultation.id).order_by(FeedbackItem.id)))


def test_exact_copies_templates_with_additions_and_shared_quotations(make_consultation):
    consultation = make_consultation()
    texts = [TEMPLATE] * 3 + [
        ("  i OPPOSE the collection of client-level data by government agencies!! Vulnerable "
        "people will stop seeking help if their private details are passed to funders. "
        "Agencies should only receive anonymised, aggregated information."),  # case, spacing
        TEMPLATE + " My cousin stopped going to her counsellor because of this.",
        "Kia ora. " + TEMPLATE,
        f"{QUOTE} Agencies should publish every data request they make, every month.",
        f"{QUOTE} I run a small marae-based service and our whānau already avoid us.",
        "Short answer.", "Short answer.",
    ]
    items = _items(consultation, texts)
    result = detect_campaigns(consultation.id, similarity=0.6)
    Session.commit()
    (campaign,) = Session.scalars(select(FeedbackCampaign)).all()
    assert result.campaigns == 1 and campaign.member_count == 6
    assert campaign.kind == "template" and campaign.template_text == TEMPLATE
    members = {i.id for i in items if i.campaign_id == campaign.id}
    assert members == {i.id for i in items[:6]}
    by_text = {i.text: i for i in items}
    assert by_text[texts[4]].own_text == "My cousin stopped going to her counsellor because of this."
    assert by_text[texts[5]].own_text == "Kia ora."
    assert by_text[TEMPLATE].own_text is None and items[3].own_text is None
    # Two unrelated texts quoting the same sentence, and short repeated answers, are no campaign.
    assert all(i.campaign_id is None for i in items[6:])


def test_identical_choices_of_a_closed_question_are_no_campaign(make_consultation):
    from app.corpus.closed import ClosedAnswer

    consultation = make_consultation()
    options = [("a", "Providers must tell clients what is collected and why"),
               ("b", "Clients can see and correct everything held about them")]
    closed = ClosedAnswer.of("Which protections matter?", "multiple_choice", options, ["a", "b"])
    labels = "; ".join(label for _value, label in options)
    record_new_feedback_many(None, [
        {"consultation_id": consultation.id, "source": "submission_answer",
         "source_id": f"{800000 + n}:q6", "text": labels, "question_key": "q6",
         "consent": SCOPE, "closed": closed} for n in range(5)])
    _items(consultation, [TEMPLATE, TEMPLATE], question="q2")
    result = detect_campaigns(consultation.id)
    Session.commit()
    # The five identical ticks (over eight words of labels) are answers, not a campaign; the
    # free-text copies beside them still are one.
    assert result.campaigns == 1
    (campaign,) = Session.scalars(select(FeedbackCampaign)).all()
    assert campaign.member_count == 2


def test_only_exact_copies_make_an_exact_campaign_and_detection_replaces_the_last(
        make_consultation):
    consultation = make_consultation()
    _items(consultation, [TEMPLATE, TEMPLATE], question="q3")
    detect_campaigns(consultation.id)
    first = Session.scalars(select(FeedbackCampaign)).one()
    assert first.kind == "exact" and first.question_key == "q3"
    detect_campaigns(consultation.id)
    Session.commit()
    again = Session.scalars(select(FeedbackCampaign)).one()  # replaced, not added to
    assert again.member_count == 2
    assert {i.campaign_id for i in Session.scalars(select(FeedbackItem))} == {again.id}


def test_own_text_keeps_the_added_sentences_as_written():
    assert own_text(TEMPLATE + " Please <b>listen</b>!", TEMPLATE) == "Please <b>listen</b>!"
    assert own_text(TEMPLATE, TEMPLATE) is None


def test_the_campaign_page_highlights_each_variation_escaped(client, auth, analyst,
                                                             make_consultation, app):
    from app.queries import get_current_consultation

    with app.test_request_context():
        consultation = get_current_consultation() or make_consultation()
    addition = "<script>alert(1)</script> Listen to us."
    _items(consultation, [TEMPLATE, TEMPLATE, TEMPLATE + " " + addition])
    detect_campaigns(consultation.id)
    Session.commit()
    campaign = Session.scalars(select(FeedbackCampaign)).one()
    auth.login(analyst)
    response = client.get("/submissions/campaigns")
    assert response.status_code == 200, response.headers
    listing = response.get_data(as_text=True)
    assert f"/submissions/campaigns/{campaign.id}" in listing and ">3<" in listing
    page = client.get(f"/submissions/campaigns/{campaign.id}").get_data(as_text=True)
    assert "<script>alert" not in page
    assert ('<ins><span class="visually-hidden">added: </span>'
            "&lt;script&gt;alert(1)&lt;/script&gt; Listen to us.</ins>") in page


def test_flags_for_names_words_and_empty_answers(app):
    assert name_problem("Mere") == "first name only"
    assert name_problem("Anonymous") == "pseudonym" and name_problem("kiwi_77") == "pseudonym"
    assert name_problem("Mere Tūhoe") is None

    class Answer:
        def __init__(self, key, text):
            self.question_key, self.text = key, text

    class Guest:
        is_guest, guest_name, email_confirmed_at = True, "Mickey Mouse", None
        answers = (Answer("q2", "This is bullshit, you bastards."), Answer("q7", ""))

    with app.app_context():
        flags = content_flags(Guest())
        assert flags["offensive"] == ["bastards"]  # a whole word of the list; "bullshit" is not
        assert flags["name"] == "pseudonym" and "empty" not in flags
        Guest.answers = (Answer("q2", "   ... "),)
        Guest.guest_name = "Mere Tūhoe"
        assert content_flags(Guest()) == {"empty": True}


def test_the_queue_and_decisions_are_audited(client, app, auth, analyst, make_form):
    form = make_form(allows_guests=True)
    for n, name in enumerate(("Mere", "Aroha Ngata")):
        token, key = form_page(client, form)
        submit(client, form, answers(guest_name=name, guest_email=f"g{n}@example.test"),
               token=token, key=key)
    app.config["SUBMISSIONS_RECEIPT_EMAILS"] = False
    try:
        run_recording_jobs(app)
    finally:
        app.config.pop("SUBMISSIONS_RECEIPT_EMAILS")
    (review,) = Session.scalars(select(SubmissionReview)).all()
    assert review.flags == ["name", "unconfirmed"] and review.status == "flagged"
    reference = review.submission.reference
    # Screening again, from plain rows, renews the same flags and adds no second review.
    from submissions.models import Submission
    from submissions.screening import screen_ids

    with app.app_context():
        assert screen_ids(list(Session.scalars(select(Submission.id)))) == 1
    assert Session.scalars(select(SubmissionReview.flags)).all() == [["name", "unconfirmed"]]
    review = Session.scalars(select(SubmissionReview)).one()
    auth.login(analyst)
    queue = client.get("/submissions/screening")
    html = queue.get_data(as_text=True)
    assert reference in html
    token = token_of(html)
    refused = client.post(f"/submissions/screening/{review.submission_id}",
                          data={"csrf_token": token, "decision": "rejected", "reason": " "})
    assert refused.status_code == 302
    Session.expire_all()
    assert Session.get(SubmissionReview, review.submission_id).status == "flagged"
    client.post(f"/submissions/screening/{review.submission_id}",
                data={"csrf_token": token, "decision": "accepted",
                      "reason": "A real person: Mere is her full name."})
    Session.expire_all()
    decided = Session.get(SubmissionReview, review.submission_id)
    assert decided.status == "accepted" and decided.decided_by_id == analyst.id
    event = Session.scalars(select(AuditEvent).where(
        AuditEvent.action == "submissions.screening_accepted")).one()
    assert event.target_id == str(review.submission_id)
    assert re.search(r"Accepted", client.get("/submissions/screening?status=accepted")
                     .get_data(as_text=True))


def test_a_whole_campaign_is_decided_at_once(client, app, auth, analyst, make_form):
    from submissions.screening import decide_campaign

    form = make_form(allows_guests=True)
    for n in range(3):
        token, key = form_page(client, form)
        submit(client, form, answers(guest_name="Anonymous", guest_email=f"c{n}@example.test",
                                     **{"answer-q2": TEMPLATE}), token=token, key=key)
    app.config["SUBMISSIONS_RECEIPT_EMAILS"] = False
    try:
        run_recording_jobs(app)  # records, screens, then finds the campaign
    finally:
        app.config.pop("SUBMISSIONS_RECEIPT_EMAILS")
    campaign = Session.scalars(select(FeedbackCampaign).where(
        FeedbackCampaign.question_key == "q2")).one()
    assert campaign.member_count == 3
    decided = decide_campaign(analyst, campaign.id, decision="rejected",
                              reason="A pseudonymous template campaign.")
    Session.commit()
    assert decided == 3
    statuses = set(Session.scalars(select(SubmissionReview.status)))
    assert statuses == {"rejected"}
    assert screen([]) == 0
    assert decide  # (imported for the single decisions above)


def _variants(count: int, seed: int) -> list[str]:
    """COUNT distinct texts: the TEMPLATE with a short sentence of someone's own (a Jaccard
    similarity of word shingles of about 0.75 with it)."""
    import random

    from submissions.synthetic import PLACES, RELATIVES

    rng = random.Random(seed)
    texts: set[str] = set()
    while len(texts) < count:
        texts.add(f"{TEMPLATE} My {rng.choice(RELATIVES)} in {rng.choice(PLACES)} says so, "
                  f"{rng.randint(2, 900)} times.")
    return sorted(texts)


def test_hundreds_of_personalised_copies_join_one_campaign(make_consultation):
    """Recall of the LSH bands and the check: with 12 bands of 5 rows, 18 of these 300
    variants became "campaigns" of their own (0 to 18 for other seeds); 16 bands of 4 find
    them all."""
    consultation = make_consultation()
    variants = _variants(300, seed=7)
    items = _items(consultation, [TEMPLATE] * 60 + variants)
    result = detect_campaigns(consultation.id, similarity=0.6)
    Session.commit()
    biggest = Session.scalars(select(FeedbackCampaign).order_by(
        FeedbackCampaign.member_count.desc())).first()
    assert biggest.template_text == TEMPLATE and biggest.kind == "template"
    assert biggest.member_count == 60 + len(variants), result.summary()
    members = [i for i in items if i.campaign_id == biggest.id]
    assert all(i.own_text is None for i in members if i.text == TEMPLATE)  # the copies
    added = [i for i in members if i.text != TEMPLATE]
    assert all(i.own_text and i.own_text.startswith("My ") for i in added)


def test_signatures_estimate_the_jaccard_similarity_of_word_shingles():
    """The vectorised MinHash agrees with the exact Jaccard similarity of the 3-word
    shingle sets: no bias, and the error of 64 permutations."""
    import random

    import numpy as np

    from app.corpus.near_copies import normalise, shingle_hashes, signatures

    rng = random.Random(11)
    words = [f"w{n}" for n in range(400)]
    pairs = []
    for _ in range(300):
        base = [rng.choice(words) for _ in range(rng.randint(20, 60))]
        other = list(base)
        for _ in range(rng.randint(0, len(base))):  # a share of the words changed
            other[rng.randrange(len(other))] = rng.choice(words)
        pairs.append((normalise(" ".join(base)), normalise(" ".join(other))))
    sig = signatures([t for pair in pairs for t in pair])
    estimated = (sig[0::2] == sig[1::2]).mean(axis=1)
    exact = np.array([len(set(shingle_hashes(a)) & set(shingle_hashes(b)))
                      / len(set(shingle_hashes(a)) | set(shingle_hashes(b))) for a, b in pairs])
    assert exact.min() < 0.2 and exact.max() == 1.0  # the whole range is covered
    assert abs((estimated - exact).mean()) < 0.02
    assert np.abs(estimated - exact).mean() < 0.06
    assert (estimated[exact == 1.0] == 1.0).all()


def test_many_submissions_from_one_address_within_minutes_are_flagged(app, make_form):
    """`burst`: SCREENING_BURST_COUNT submissions within SCREENING_BURST_MINUTES either side
    of each; the same address an hour later, and other addresses, are not flagged."""
    import secrets
    from datetime import timedelta

    from sqlalchemy import insert

    from app.db import utcnow
    from submissions.models import Submission, SubmissionAnswer
    from submissions.screening import screen_all

    form = make_form(allows_guests=True)
    start = utcnow() - timedelta(days=1)
    moments = ([("busy", start + timedelta(seconds=20 * n)) for n in range(5)]
               + [("busy", start + timedelta(hours=1)), ("quiet", start)]
               + [("quiet", start + timedelta(minutes=30 * n)) for n in range(1, 6)])
    rows = [{"reference": f"KOR-TEST-{n:04d}", "idempotency_key": secrets.token_hex(8),
             "form_id": form.id, "version_id": form.current_version.id,
             "guest_name": "Aroha Ngata", "guest_email": f"b{n}@example.test", "consent": {},
             "submitted_at": at, "updated_at": at, "source_hash": source}
            for n, (source, at) in enumerate(moments)]
    table = Submission.__table__
    ids = Session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True),
                          rows).scalars().all()
    Session.execute(insert(SubmissionAnswer.__table__), [
        {"submission_id": i, "question_key": "q2", "value": "Fine.", "text": "Fine."}
        for i in ids])
    app.config.update(SCREENING_BURST_COUNT=5, SCREENING_BURST_MINUTES=10)
    try:
        with app.app_context():
            assert screen_all(batch=4) == (len(ids), 5)
            flags = dict(Session.execute(select(SubmissionReview.submission_id,
                                                SubmissionReview.flags)).all())
            assert [i for i in ids if "burst" in flags.get(i, [])] == ids[:5]
            # The sweeper's path (a batch's own addresses and times) finds the same.
            Session.execute(SubmissionReview.__table__.delete())
            assert screen_ids(ids[3:6]) == 2
            flags = dict(Session.execute(select(SubmissionReview.submission_id,
                                                SubmissionReview.flags)).all())
            assert flags == {ids[3]: ["burst", "unconfirmed"], ids[4]: ["burst", "unconfirmed"]}
    finally:
        app.config.update(SCREENING_BURST_COUNT=20, SCREENING_BURST_MINUTES=10)


def test_offensive_words_are_found_whole_and_in_any_case(app):
    with app.app_context():
        from submissions.screening import offensive_words

        assert offensive_words("You BASTARDS. Piss   off") == ["bastards"]  # phrase: as listed
        assert offensive_words("PISS OFF, and ſhit.") == ["piss off", "ſhit"]
        assert offensive_words("Scunthorpe, shitake, bastardised") == []


def test_a_second_process_signs_as_one_process_does(monkeypatch):
    """Many distinct texts are normalised and signed half in a forked process: the same
    texts and signatures, in the same order, as in one process."""
    import numpy as np

    from app.corpus import near_copies

    texts = [f"{TEMPLATE} Copy number {n}!" for n in range(40)] + [QUOTE, "Short answer."]
    alone = near_copies.normalise_and_sign(texts)
    monkeypatch.setattr(near_copies, "_PARALLEL_FROM", 10)
    together = near_copies.normalise_and_sign(texts)
    assert together[0] == alone[0] and together[0][-1] == "short answer"
    assert np.array_equal(together[1], alone[1])


def test_detection_compares_every_question_before_its_first_write(make_consultation):
    # On SQLite the first write takes the one write lock until the commit: detection must do
    # its comparing first and write at the end, or every submission arriving meanwhile waits
    # for the whole detection (deadline day).
    from sqlalchemy import event

    consultation = make_consultation()
    _items(consultation, [TEMPLATE] * 3, question="q2")
    _items(consultation, [TEMPLATE + " Mine too."] * 2, question="q3")
    detect_campaigns(consultation.id)  # campaigns for the next detection to clear
    Session.commit()
    events = []

    def on_execute(_conn, _cursor, statement, *_args):
        if statement.lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            events.append("write")

    engine = Session.get_bind().engine
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        result = detect_campaigns(consultation.id, progress=lambda done, total, message:
                                  events.append(message))
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    Session.commit()
    assert result.campaigns == 2
    first_write = events.index("write")
    assert events[:first_write] == ["Question q2", "Question q3"]
    assert events[-1] == "Done" and "write" in events[first_write:-1]
