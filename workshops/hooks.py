"""What the core asks of the workshops package besides its pages: demo data, a person's data
(export and erase), "your tasks" entries and, for the test walks, the objects its URLs name."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.corpus.scope import ConsentScope
from app.db import Session, utcnow
from app.packages import Task
from workshops.models import Booking, CalendarFeed, Workshop, WorkshopFacilitator

DEMO_WORKSHOPS = [
    # title, format, region, days from now, capacity, audience
    ("Hui: client data in social services (Tāmaki Makaurau)", "in_person", "Auckland", 14, 30,
     "everyone"),
    ("Talanoa: Pasifika families and data", "in_person", "Wellington", 21, 3, "everyone"),
    ("Online fono: consent and data sharing", "online", "Online", 10, 100, "everyone"),
    ("Hybrid hui for iwi and Māori providers", "hybrid", "Waikato", 28, 40, "iwi_maori"),
    ("Workshop: what providers collect today", "in_person", "Canterbury", -7, 25, "everyone"),
]


def _demo_workshop(context, title, fmt, region, days, capacity, audience) -> tuple[Workshop, bool]:
    facilitator = context.accounts["facilitator"]
    existing = context.session.scalar(select(Workshop).where(
        Workshop.title == title, Workshop.consultation_id == context.consultation.id))
    if existing is not None:
        if not existing.facilitator_links:  # seeded before facilitators were per workshop
            existing.facilitator_links.append(WorkshopFacilitator(user_id=facilitator.id))
        return existing, False
    start = (utcnow() + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    workshop = Workshop(
        consultation_id=context.consultation.id, title=title, format=fmt, region=region,
        description="Come and tell us how client-level data should be collected and used.",
        venue_address="" if fmt == "online" else f"Community hall\n1 Main Street\n{region}",
        meeting_link="https://meet.example.test/korero-demo" if fmt != "in_person" else "",
        starts_at=start, ends_at=start + timedelta(hours=2), capacity=capacity,
        booking_deadline_at=start - timedelta(days=1), languages="en,mi" if fmt != "online"
        else "en,sm,to,nzsl", accessibility="Step-free access and a hearing loop.",
        audience=audience, status="published", created_by_id=facilitator.id)
    # The demo facilitator runs every demo workshop (sees its roster and access needs).
    workshop.facilitator_links.append(WorkshopFacilitator(user_id=facilitator.id,
                                                          added_by_id=facilitator.id))
    context.session.add(workshop)
    context.session.flush()
    return workshop, True


def seed_demo(context) -> None:
    from app.corpus.operations import record_feedback
    from workshops.models import WorkshopOutput

    made = {}
    for title, fmt, region, days, capacity, audience in DEMO_WORKSHOPS:
        workshop, created = _demo_workshop(context, title, fmt, region, days, capacity, audience)
        context.report.note(created, f"workshop “{title}”")
        made[title] = (workshop, created)
    nearly_full, created = made[DEMO_WORKSHOPS[1][0]]
    if created:  # full, with one person waiting (the demo participant can join the waitlist)
        people = [context.accounts[key] for key in ("participant2", "analyst", "advisory",
                                                    "kaitiaki")]
        for index, person in enumerate(people):
            context.session.add(Booking(
                workshop_id=nearly_full.id, user_id=person.id,
                status="confirmed" if index < nearly_full.capacity else "waitlisted",
                queued_at=utcnow() + timedelta(seconds=index)))
    online, created = made[DEMO_WORKSHOPS[2][0]]
    if created:
        context.session.add(Booking(workshop_id=online.id,
                                    user_id=context.accounts["participant"].id,
                                    status="confirmed", access_needs="Live captions, please."))
    past, created = made[DEMO_WORKSHOPS[4][0]]
    if created:
        facilitator = context.accounts["facilitator"]
        for text in ("Providers want one consent form, written in plain language.",
                     "Small NGOs cannot afford new reporting systems without funding."):
            output = WorkshopOutput(workshop_id=past.id, recorded_by_id=facilitator.id)
            context.session.add(output)
            context.session.flush()
            item = record_feedback(facilitator, consultation=context.consultation,
                                   source="workshop_output", source_id=output.id, text=text,
                                   consent=ConsentScope(analysis=True, quote="anonymous",
                                                        publish="working_group"))
            output.feedback_item_id = item.id
    context.report.note(created, "outputs of the past workshop")
    _seed_interview(context)
    context.session.flush()


def _seed_interview(context) -> None:
    """An interview of the demo participant, with consent and a note."""
    from workshops import interview_operations as iops
    from workshops.interview_models import Interview

    facilitator, person = context.accounts["facilitator"], context.accounts["participant"]
    existing = context.session.scalar(select(Interview).where(
        Interview.consultation_id == context.consultation.id,
        Interview.facilitator_id == facilitator.id, Interview.interviewee_id == person.id))
    if existing is None:
        interview = iops.schedule_interview(facilitator, context.consultation,
                                            scheduled_at=utcnow() - timedelta(days=2),
                                            interviewee=person)
        iops.record_consent(facilitator, interview,
                            ConsentScope(analysis=True, quote="anonymous",
                                         publish="working_group"),
                            method="verbal", given_at=utcnow() - timedelta(days=2))
        iops.save_note(facilitator, interview,
                       questions="What client data does your service collect today?",
                       key_points=["We collect only what funders require.",
                                   "Clients are rarely told how their data is used."])
    context.report.note(existing is None, f"interview of {person.email}")


def export_personal_data(person) -> dict:
    bookings = Session.scalars(select(Booking).where(Booking.user_id == person.id)
                               .order_by(Booking.id))
    return {"bookings": [{
        "workshop": booking.workshop.title, "starts_at": booking.workshop.starts_at.isoformat(),
        "status": booking.status, "access_needs": booking.access_needs,
        "dietary_needs": booking.dietary_needs,
        "attending_for": booking.organisation.name if booking.organisation else None,
        "attendance": booking.attendance, "booked_at": booking.created_at.isoformat(),
    } for booking in bookings],
        "has_calendar_feed": Session.scalar(select(CalendarFeed.id).where(
            CalendarFeed.user_id == person.id, CalendarFeed.is_revoked.is_(False))) is not None,
        "interviews": _interviews_of(person),
        "workshops_facilitated": [{"workshop": link_workshop.title,
                                   "starts_at": link_workshop.starts_at.isoformat()}
                                  for link_workshop in _workshops_run_by(person)]}


def _workshops_run_by(person) -> list[Workshop]:
    from workshops.facilitators import workshops_run_by

    return workshops_run_by(person, None)


def _interviews_of(person) -> list[dict]:
    """The person's own interviews: the note's key points, the consent and corrections (a
    refused correction travels with the note into this export)."""
    from workshops.interview_models import Interview
    from workshops.interview_operations import key_point_items
    from workshops.interview_queries import corrections_of

    found = []
    for interview in Session.scalars(select(Interview).where(
            Interview.interviewee_id == person.id).order_by(Interview.id)):
        found.append({
            "scheduled_at": interview.scheduled_at.isoformat(),
            "questions": interview.questions,
            "key_points": [item.text for item in key_point_items(interview)],
            "consent": {"analysis": interview.consent_analysis,
                        "quote": interview.consent_quote, "publish": interview.consent_publish,
                        "method": interview.consent_method},
            "corrections": [{"statement": c.statement, "status": c.status,
                             "response": c.response} for c in corrections_of(interview)],
            "delete_by": interview.delete_by.isoformat()})
    return found


def erase_personal_data(actor, person) -> None:
    """Cancel PERSON's active bookings (promoting whoever waits), then delete them and the
    calendar feed, and delete every interview OF them (notes, key points and their
    FeedbackItems, corrections, consent form). Emails are not sent from here: the caller
    commits."""
    from workshops.interview_operations import erase_interviews_of
    from workshops.operations import _lock, _promote

    erase_interviews_of(actor, person)

    for booking in list(Session.scalars(select(Booking).where(Booking.user_id == person.id))):
        workshop = booking.workshop
        was_confirmed = booking.status == "confirmed"
        _lock(workshop)
        Session.delete(booking)
        Session.flush()
        if was_confirmed and workshop.status == "published":
            _promote(workshop)
    for feed in Session.scalars(select(CalendarFeed).where(CalendarFeed.user_id == person.id)):
        Session.delete(feed)
    Session.flush()


def tasks(person):
    """Called outside any request too (no url_for): the paths are the blueprint's own."""
    from flask_babel import lazy_gettext as _l

    from workshops.queries import bookings_of, upcoming_count_for_facilitator

    if person.has_role("facilitator"):
        yield Task(_l("Workshops you run in the next 7 days"),
                   upcoming_count_for_facilitator(person), "/workshops/#your-workshops")
    upcoming = [b for b in bookings_of(person) if b.workshop.starts_at > utcnow()]
    yield Task(_l("Workshops you are booked for"), len(upcoming), "/workshops/mine")


def route_objects(context) -> dict:
    start = utcnow() + timedelta(days=10)
    workshop = Workshop(
        consultation_id=context.consultation.id, title="Walk workshop", format="hybrid",
        region="Otago", venue_address="1 Walk Street", meeting_link="https://meet.example.test/w",
        starts_at=start, ends_at=start + timedelta(hours=2), capacity=10,
        booking_deadline_at=start - timedelta(days=1), status="published")
    context.session.add(workshop)
    context.session.flush()
    booking = Booking(workshop_id=workshop.id, user_id=context.owner.id, status="confirmed",
                      access_needs="Wheelchair access")
    context.session.add(booking)
    context.session.flush()
    interview, correction = _walk_interview(context)
    return {"workshop": workshop, "booking": booking, "interview": interview,
            "correction": correction, "output": _walk_output(context, workshop)}


def _walk_output(context, workshop):
    """A recorded key point of the walk's workshop, with its FeedbackItem."""
    from app.corpus.models import FeedbackItem
    from workshops.models import WorkshopOutput

    output = WorkshopOutput(workshop_id=workshop.id)
    context.session.add(output)
    context.session.flush()
    item = FeedbackItem(
        consultation_id=context.consultation.id, source="workshop_output",
        source_id=str(output.id), text="A walk key point.", consent_analysis=True,
        consent_quote="anonymous", consent_publish="working_group", consent_version=1,
        created_at=utcnow(), updated_at=utcnow())
    context.session.add(item)
    context.session.flush()
    output.feedback_item_id = item.id
    return output


def _walk_interview(context):
    """An interview of the walk's participant, with consent, a note and a correction."""
    from workshops.interview_models import CorrectionRequest, Interview

    facilitator = context.make_user("facilitator")
    interview = Interview(
        consultation_id=context.consultation.id, facilitator_id=facilitator.id,
        interviewee_id=context.owner.id, interviewee_name=context.owner.display_name,
        scheduled_at=utcnow(), consent_analysis=True, consent_quote="anonymous",
        consent_publish="working_group", consent_method="verbal", consent_given_at=utcnow(),
        questions="What matters to you?", delete_by=(utcnow() + timedelta(days=30)).date())
    # A real consent form on disk, so the download route answers the owner.
    from workshops.interview_operations import consent_form_folder

    folder = consent_form_folder()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "walk-consent-form.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    interview.consent_form_name, interview.consent_form_mimetype = (
        "walk-consent-form.pdf", "application/pdf")
    context.session.add(interview)
    context.session.flush()
    correction = CorrectionRequest(interview_id=interview.id, requested_by_id=context.owner.id,
                                   statement="I said something else.")
    context.session.add(correction)
    context.session.flush()
    return interview, correction
