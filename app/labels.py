"""Human names for the platform's fixed vocabularies, translated at render time."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

ROLE_LABELS = {
    "participant": _l("Participant"),
    "facilitator": _l("Facilitator"),
    "analyst": _l("Analyst (secretariat)"),
    "advisory": _l("Advisory group"),
    "kaitiaki": _l("Kaitiaki"),
    "admin": _l("Administrator"),
}

# What each role is for, shown to the person who holds it.
ROLE_DESCRIPTIONS = {
    "participant": _l("Post in the forum, book workshops, make submissions for yourself or for "
                      "your organisation, review the notes of your own interview, and download "
                      "or delete your own data."),
    "facilitator": _l("Run workshops (publish, take bookings, check people in, record outputs) "
                      "and interviews (notes and the interviewee's consent)."),
    "analyst": _l("Moderate, code feedback, run theming, and build and export reports for the "
                  "working group."),
    "advisory": _l("Read aggregate reports, the audit log and the risk register, and approve "
                   "risk mitigations."),
    "kaitiaki": _l("Approve or decline the use of data governed by your iwi, hapū or Pasifika "
                   "group."),
    "admin": _l("Invite people, assign roles, manage organisations and configure "
                "consultations."),
}
