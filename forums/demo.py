"""The demo consultation's forum: an open space, an iwi caucus and a Pasifika caucus, each with
a pinned welcome thread, conversations about the draft data policy, and a flagged post waiting
in the moderation queue; in the open space, the facilitator's workshop notes (a PDF) and a chart
(a PNG) are attached to a reply. Every name is fictional."""
from __future__ import annotations

from app.corpus.scope import ConsentScope
from forums import attachments, moderation, operations
from forums.demo_files import bar_chart_png, text_pdf

SCOPE = ConsentScope(analysis=True, quote="anonymous", publish="working_group")

OPEN_THREADS = [
    ("analyst", "What agencies should never collect",
     ("The draft says client-level data may be asked for only for a stated purpose. Which "
     "kinds of information do you think should **never** be collected, whatever the purpose?"),
     [("participant", ("Anything about immigration status. Whānau stop coming to us the moment "
       "they think it could be passed on.")),
      ("participant2", ("Church and community affiliations. People tell us these in trust, "
       "and they have nothing to do with whether a service works.")),
      ("facilitator", ("Thank you both. Several providers at last week's workshop said the "
       "same about immigration status."))]),
    ("participant2", "Consent when a client is in crisis",
     ("Many of the families we see first come to us in a crisis. Asking them to read a "
     "consent form then is not informed consent. Could sharing wait until the first follow-up "
     "visit?"),
     [("participant", ("Agree. We already do a second conversation after two weeks; that "
       "would be the natural point.")),
      ("advisory", ("The Privacy Act's collection principles would support a staged approach. "
       "It would help to hear how long providers think the gap should be."))]),
    ("participant", "Results going back to providers",
     ("The policy promises that providers receive the analysis built from their data. In what "
     "form would be useful? We are a small trust without an analyst."),
     [("participant2", ("Plain-language summaries, please, with the numbers for our own "
       "region, not just national figures."))]),
]

IWI_THREADS = [
    ("participant", "Māori data sovereignty and the draft",
     ("Kia ora koutou. The draft mentions Māori data sovereignty, but not who decides. For our "
     "rūnanga the question is whether iwi hold a veto over how whānau data is used, or only "
     "a say."),
     [("kaitiaki", ("Ka pai te pātai. Our view is that the kaitiaki group must approve any "
       "breakdown by iwi before it is published. A say is not enough.")),
      ("participant", ("Then the policy should name the approval step, not leave it to a "
       "later guideline."))]),
]

PASIFIKA_THREADS = [
    ("participant2", "Talanoa on data about our families",
     ("Mālō e lelei. Our families are often counted as one \"Pacific\" group. Should the "
     "policy require data to be broken down by community, or does that make small "
     "communities too easy to identify?"),
     [("participant2", ("One answer from our board: break it down only when the community's "
       "own leaders agree, and always with the suppression rules."))]),
]

WORKSHOP_NOTES = ("Workshop notes: what agencies should never collect", [
    "Provider workshop, Porirua, 12 participants from 9 organisations.",
    "1. Immigration status: raised by 7 of 9 organisations. Families stop coming",
    "   to services when they fear it could be passed on.",
    "2. Church and community affiliations: raised by 4 organisations.",
    "3. Household members not receiving the service: raised by 3 organisations.",
    "Agreed: the policy should list what is never collected, not leave it to",
    "each agency's guidance.",
])
WORKSHOP_VOTES = [70, 45, 30]  # share of organisations raising each of the three


def demo_files() -> list[attachments.Upload]:
    """The files the demo attaches: the workshop notes as a PDF and their tally as a chart."""
    title, lines = WORKSHOP_NOTES
    return [attachments.Upload("Workshop notes - never collect.pdf", text_pdf(title, lines)),
            attachments.Upload("Workshop tally.png", bar_chart_png(WORKSHOP_VOTES))]


def _thread(accounts, space, author_key, title, body, replies, *, governed=False):
    thread = operations.create_thread(accounts[author_key], space, title=title, body=body,
                                      scope=SCOPE, governed=governed)
    posts = []
    for who, text in replies:
        posts.append(operations.reply(accounts[who], thread, body=text, scope=SCOPE,
                                      governed=governed))
    return thread, posts


def seed_forum(context) -> None:
    accounts, consultation = context.accounts, context.consultation
    groups = context.governance_groups
    for person in accounts.values():
        operations.set_preference(person, scope=SCOPE)
    analyst, facilitator = accounts["analyst"], accounts["facilitator"]
    open_space = operations.create_space(
        analyst, consultation, title="Open discussion",
        description="For every partner: the draft data protection and use policy.")
    iwi = operations.create_space(
        analyst, consultation, title="Iwi and Māori caucus", kind="caucus",
        audience="governance", governance_group=groups.get("Ngāti Whetūrangi"),
        moderators=[facilitator],
        description="A space for iwi, hapū and Māori organisations. Moderated by its "
                    "kaitiaki and the facilitator it names; other staff do not enter.")
    pasifika = operations.create_space(
        analyst, consultation, title="Pasifika caucus", kind="caucus", audience="stakeholder",
        stakeholder_group="pasifika", governance_group=groups.get("Lalaga Pasifika Collective"),
        moderators=[facilitator],
        description="A talanoa space for Pasifika organisations.")
    for space, moderator, welcome in (
            (open_space, analyst, ("Welcome to the forum. Be kind, stay on the policy, and "
             "remember that what you write here is feedback: it is used as your consent "
             "settings say.")),
            (iwi, facilitator, ("Nau mai, haere mai. This caucus is your own room: only its "
             "members, the facilitator it names and its kaitiaki can read it.")),
            (pasifika, facilitator, ("Talofa lava and welcome. Only members of Pasifika "
             "organisations, the facilitator and the kaitiaki can read this space."))):
        welcome_thread = operations.create_thread(moderator, space, title="Welcome: how this "
                                                  "space works", body=welcome, scope=SCOPE)
        moderation.set_thread_state(moderator, welcome_thread, pinned=True)
    flagged = None
    for author, title, body, replies in OPEN_THREADS:
        _, posts = _thread(accounts, open_space, author, title, body, replies)
        if flagged is None:
            flagged = posts[0]
            # The facilitator's reply reports the workshop: its notes and tally are attached.
            attachments.add_to_post(facilitator, posts[2], demo_files())
    moderation.flag_post(accounts["participant2"], flagged,
                         reason="This names a specific kind of client; please check it is "
                                "not identifying.")
    for author, title, body, replies in IWI_THREADS:
        _, posts = _thread(accounts, iwi, author, title, body, replies, governed=True)
        moderation.flag_post(accounts["kaitiaki"], posts[-1],
                             reason="Please check before this is quoted outside the caucus.")
    for author, title, body, replies in PASIFIKA_THREADS:
        _, posts = _thread(accounts, pasifika, author, title, body, replies,
                                  governed=True)
        moderation.flag_post(accounts["participant2"], posts[-1],
                             reason="I posted this for our board: can a moderator confirm "
                                    "it is fine to leave up?")
