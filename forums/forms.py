"""Forum forms. Lengths are checked again by the operations, which say what to fix."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.widgets import HiddenInput

from app.corpus.scope import ConsentScope

QUOTE_CHOICES = [
    ("none", _l("Do not quote my words anywhere")),
    ("anonymous", _l("You may quote my words without my name")),
    ("attributed", _l("You may quote my words with my name")),
]
PUBLISH_CHOICES = [
    ("none", _l("Only the secretariat may read my words")),
    ("working_group", _l("The working group may read my words")),
    ("public", _l("My words may appear in public reports")),
]
# A hint to the browser's file picker only: the type is decided by the content (app/uploads.py).
ACCEPT = "application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg"
ANALYSIS_CHOICES = [("yes", _l("Yes, count and analyse what I write")),
                    ("no", _l("No, do not use what I write in the analysis"))]


class ConsentFields:
    """Mixed into forms that ask for a consent scope in plain words."""

    def scope(self) -> ConsentScope:
        return ConsentScope(analysis=self.consent_analysis.data == "yes",
                            quote=self.consent_quote.data, publish=self.consent_publish.data)

    def fill_scope(self, scope: ConsentScope) -> None:
        self.consent_analysis.data = "yes" if scope.analysis else "no"
        self.consent_quote.data = scope.quote
        self.consent_publish.data = scope.publish


class PostForm(FlaskForm):
    """A new thread (with a title) or a reply. Consent fields are used only the first time
    someone posts (the view leaves them out afterwards)."""

    title = StringField(_l("Title"))
    body = TextAreaField(_l("Your message"), description=_l(
        "You can use Markdown: *italic*, **bold**, lists, > quotes and links."))
    identity = RadioField(_l("Show my post"), default="named")
    governed = BooleanField(_l("Governed by this caucus's governance group: quoting it or "
                               "breaking it down needs their kaitiaki's approval"))
    reply_to = HiddenField()
    # The description (the limits, from the settings) is set by the view.
    attachments = MultipleFileField(_l("Attach files (optional)"), render_kw={"accept": ACCEPT})
    consent_analysis = RadioField(_l("May the secretariat analyse what you write?"),
                                  choices=ANALYSIS_CHOICES, default="yes")
    consent_quote = RadioField(_l("May your words be quoted in reports?"),
                               choices=QUOTE_CHOICES, default="anonymous")
    consent_publish = RadioField(_l("Who may read your words outside the forum?"),
                                 choices=PUBLISH_CHOICES, default="working_group")
    scope = ConsentFields.scope


class AttachForm(FlaskForm):
    """More files for a post already written (on its edit page)."""

    attachments = MultipleFileField(_l("Attach more files"), render_kw={"accept": ACCEPT})


class EditPostForm(FlaskForm):
    title = StringField(_l("Title"))
    body = TextAreaField(_l("Your message"))
    revision = IntegerField(widget=HiddenInput())


class ConsentForm(FlaskForm):
    consent_analysis = RadioField(_l("May the secretariat analyse what you write?"),
                                  choices=ANALYSIS_CHOICES, default="yes")
    consent_quote = RadioField(_l("May your words be quoted in reports?"),
                               choices=QUOTE_CHOICES, default="anonymous")
    consent_publish = RadioField(_l("Who may read your words outside the forum?"),
                                 choices=PUBLISH_CHOICES, default="working_group")
    scope = ConsentFields.scope
    fill_scope = ConsentFields.fill_scope


class PreferencesForm(ConsentForm):
    email_mode = RadioField(_l("Email me about replies to what I follow"), default="immediate")


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), description=_l("The author sees this reason."))


class ModerateForm(FlaskForm):
    action = HiddenField()
    reason = TextAreaField(_l("Reason"))


class SpaceForm(FlaskForm):
    title = StringField(_l("Title"))
    description = TextAreaField(_l("What the space is for"))
    kind = RadioField(_l("Kind of space"), choices=[
        ("open", _l("Open: every signed-in participant")),
        ("caucus", _l("Caucus: only its members"))], default="open")
    audience = SelectField(_l("A caucus is for"), choices=[
        ("stakeholder", _l("Members of organisations in one stakeholder group")),
        ("governance", _l("The people a governance group covers")),
        ("members", _l("A named list of members"))])
    stakeholder_group = SelectField(_l("Stakeholder group"))
    governance_group_id = SelectField(_l("Governance group"), coerce=int)
    member_emails = TextAreaField(_l("Named members (email addresses, one a line)"))
    moderator_emails = TextAreaField(_l("Facilitators who moderate it (email addresses, one "
                                        "a line)"))
    staff_may_enter = BooleanField(_l("Analysts and facilitators may enter this caucus "
                                      "(members are told)"))
    is_premoderated = BooleanField(_l("Posts wait for a moderator's approval"))


class SettingsForm(FlaskForm):
    staff_may_enter = BooleanField(_l("Analysts and facilitators may enter this caucus"))
    is_premoderated = BooleanField(_l("Posts wait for a moderator's approval"))


class ButtonForm(FlaskForm):
    """A bare button (follow, delete, lock ...): only the CSRF token."""
