"""Administration: people, organisations, invitations, consultations and site settings.

Every endpoint is ADMIN-only in app/permissions.py. Views load (404), validate, call one
operation, commit once, flash and redirect; a refused operation is shown against its field.
"""
from __future__ import annotations

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.admin import operations, queries
from app.admin.forms import (
    STATUS_LABELS,
    ConsultationForm,
    EditUserForm,
    InvitationForm,
    OrganisationForm,
    SettingsForm,
    UserSearchForm,
    choices,
)
from app.auth.notifications import send_invitation_email
from app.auth.operations import create_invitation, revoke_invitation
from app.db import Session, writes_on_get
from app.labels import ROLE_DESCRIPTIONS, ROLE_LABELS
from app.models import MFA_REQUIRED_ROLES
from app.permissions import object_or_404
from app.privacy.audit import record_sensitive_view
from app.queries import is_self_registration_open
from app.sanitize import markdown_to_html
from app.web.refusals import attempt
from app.web.requests import client_ip, requested_page

bp = Blueprint("admin", __name__)


# Beside each staff role on a person's page: these roles need two-factor sign-in.
STAFF_ROLE_NOTE = _l("Staff: needs two-factor sign-in")


@bp.context_processor
def _labels():
    return {"role_labels": ROLE_LABELS, "status_labels": STATUS_LABELS,
            "role_descriptions": ROLE_DESCRIPTIONS,
            "staff_role_notes": {role: STAFF_ROLE_NOTE for role in MFA_REQUIRED_ROLES}}


def _save(form, operation, *, message, then: str):
    """The shape of every admin form: on a valid POST run OPERATION (which flushes). A refusal
    goes back onto FORM, which is shown again with everything typed; success commits once,
    flashes MESSAGE(result) and redirects to the endpoint THEN. None when there is nothing to
    redirect to, so the caller renders the form."""
    if not form.validate_on_submit():
        return None
    with attempt(form) as done:
        result = operation()
    if not done:
        return None
    flash(message(result), "success")
    return redirect(url_for(then))


@bp.get("/")
def index():
    """Counts of people, organisations, invitations and consultations, with links."""
    return render_template("admin/index.html", counts=queries.dashboard_counts(),
                           self_registration_open=is_self_registration_open())


# ------------------------------------------------------------------ people


@bp.get("/people")
def users():
    """Everyone with an account: search by name or email, filter by role."""
    form = UserSearchForm(formdata=request.args)
    form.validate()
    page = queries.list_users(search=(form.q.data or "") if not form.q.errors else "",
                              role=form.role.data or "", page=requested_page())
    return render_template("admin/users.html", form=form, page=page)


@bp.route("/people/<int:user_id>", methods=["GET", "POST"])
@writes_on_get  # each view of a person's details is audited
def edit_user(user_id: int):
    """Change a person's name, roles, organisations and whether they may sign in."""
    user = object_or_404(queries.get_user(user_id), "edit", current_user)
    form = EditUserForm(obj=user)
    form.organisation_ids.choices = choices(queries.organisation_choices())
    if request.method == "GET":
        form.roles.data = sorted(user.roles)
        form.organisation_ids.data = [m.organisation_id for m in user.memberships]
        record_sensitive_view(current_user, user, ip=client_ip())
        Session.commit()
    saved = _save(form, lambda: operations.update_user(
        current_user, user, display_name=form.display_name.data, roles=form.roles.data,
        organisation_ids=form.organisation_ids.data, is_enabled=form.is_enabled.data,
        ip=client_ip()),
        message=lambda _result: _("Saved the changes to %(name)s.", name=user.display_name),
        then="admin.users")
    return saved or render_template("admin/edit_user.html", form=form, user=user)


# ------------------------------------------------------------------ organisations


@bp.get("/organisations")
def organisations():
    """Organisations with their stakeholder group and number of members."""
    return render_template("admin/organisations.html",
                           rows=queries.list_organisations_with_counts())


@bp.route("/organisations/new", methods=["GET", "POST"])
def new_organisation():
    """Add an organisation."""
    form = OrganisationForm()
    saved = _save(form, lambda: operations.create_organisation(
        current_user, name=form.name.data, stakeholder_group=form.stakeholder_group.data,
        ip=client_ip()),
        message=lambda org: _("Added %(name)s.", name=org.name), then="admin.organisations")
    return saved or render_template("admin/organisation_form.html", form=form, org=None)


@bp.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
def edit_organisation(organisation_id: int):
    """Rename an organisation or change its stakeholder group; lists its members."""
    org = object_or_404(queries.get_organisation(organisation_id), "edit", current_user)
    form = OrganisationForm(obj=org)
    saved = _save(form, lambda: operations.update_organisation(
        current_user, org, name=form.name.data, stakeholder_group=form.stakeholder_group.data,
        ip=client_ip()),
        message=lambda _result: _("Saved %(name)s.", name=org.name), then="admin.organisations")
    return saved or render_template("admin/organisation_form.html", form=form, org=org,
                                    members=queries.list_members(org))


# ------------------------------------------------------------------ invitations


@bp.get("/invitations")
def invitations():
    """Invitations sent, newest first, with their status."""
    return render_template("admin/invitations.html",
                           page=queries.list_invitations(page=requested_page()))


@bp.route("/invitations/new", methods=["GET", "POST"])
def new_invitation():
    """Invite someone by email; the link is also shown once so it can be passed on by hand."""
    form = InvitationForm()
    form.organisation_id.choices = choices([(0, _("No organisation")),
                                            *queries.organisation_choices()])
    if form.validate_on_submit():
        organisation = queries.get_organisation(form.organisation_id.data)
        with attempt(form) as done:
            invitation, link = create_invitation(
                current_user, email=form.email.data, roles=form.roles.data,
                organisation=organisation, ip=client_ip())
        if done:
            # After the commit: the invitation is saved even when the mail server fails.
            email_sent = send_invitation_email(invitation, link)
            # The link is a secret: it is shown in this response only, never put in a URL
            # or the session cookie, so this one POST answers with a page, not a redirect.
            return render_template("admin/invitation_sent.html", invitation=invitation,
                                   link=link, email_sent=email_sent)
    return render_template("admin/new_invitation.html", form=form)


@bp.post("/invitations/<int:invitation_id>/revoke", endpoint="revoke_invitation")
def revoke_invitation_view(invitation_id: int):
    """Withdraw an invitation so its link stops working."""
    invitation = object_or_404(queries.get_invitation(invitation_id), "revoke", current_user)
    with attempt(None) as done:
        revoke_invitation(current_user, invitation, ip=client_ip())
    if done:
        flash(_("Revoked the invitation to %(email)s.", email=invitation.email), "success")
    return redirect(url_for("admin.invitations"))


# ------------------------------------------------------------------ consultations


@bp.get("/consultations")
def consultations():
    """Every consultation with its status and dates."""
    return render_template("admin/consultations.html", consultations=queries.list_consultations())


@bp.route("/consultations/new", methods=["GET", "POST"])
def new_consultation():
    """Set up a consultation: title, summary, dates (New Zealand time) and status."""
    form = ConsultationForm()
    if form.wants_preview():
        return _consultation_preview(form, consultation=None)
    saved = _save(form, lambda: operations.create_consultation(
        current_user, **_consultation_fields(form), ip=client_ip()),
        message=lambda created: _("Created “%(title)s”.", title=created.title),
        then="admin.consultations")
    return saved or render_template("admin/consultation_form.html", form=form,
                                    consultation=None)


@bp.route("/consultations/<int:consultation_id>", methods=["GET", "POST"])
def edit_consultation(consultation_id: int):
    """Change a consultation's text, dates or status."""
    consultation = object_or_404(queries.get_consultation(consultation_id), "edit",
                                 current_user)
    form = ConsultationForm(obj=consultation)
    if request.method == "GET":
        form.fill_local_dates(consultation.opens_at, consultation.closes_at)
    elif form.wants_preview():
        return _consultation_preview(form, consultation=consultation)
    saved = _save(form, lambda: operations.update_consultation(
        current_user, consultation, **_consultation_fields(form), ip=client_ip()),
        message=lambda _result: _("Saved “%(title)s”.", title=consultation.title),
        then="admin.consultations")
    return saved or render_template("admin/consultation_form.html", form=form,
                                    consultation=consultation)


def _consultation_preview(form: ConsultationForm, *, consultation):
    """The form again, as typed and unsaved, with the summary rendered as the home page will
    show it (the same sanitiser as on save). Works without JavaScript: it is a submit button.
    Nothing is validated or saved, so no field shows an error yet."""
    return render_template("admin/consultation_form.html", form=form, consultation=consultation,
                           preview_html=markdown_to_html(form.summary.data or ""))


def _consultation_fields(form: ConsultationForm) -> dict:
    """The operation's keyword arguments from a validated consultation form (dates in UTC)."""
    opens_at, closes_at = form.utc_dates()
    return {"title": form.title.data, "slug": form.slug.data or "",
            "summary": form.summary.data or "", "opens_at": opens_at, "closes_at": closes_at,
            "status": form.status.data}


# ------------------------------------------------------------------ settings


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    """Site switches: whether participants may create their own accounts."""
    form = SettingsForm()
    if request.method == "GET":
        form.self_registration_open.data = "yes" if is_self_registration_open() else "no"
    saved = _save(form, lambda: operations.set_self_registration(
        current_user, form.self_registration_open.data == "yes", ip=client_ip()),
        message=lambda _result: _("Settings saved."), then="admin.settings")
    return saved or render_template("admin/settings.html", form=form)
