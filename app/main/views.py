"""The home page, "Your tasks", health check, language choice and the site's standing pages."""
from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.db import Session
from app.queries import get_current_consultation
from app.security import safe_next
from app.startup_checks import production_warnings
from app.tasks import tasks_for_person

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    """The consultation, its dates and the ways to take part."""
    return render_template("main/index.html", consultation=get_current_consultation())


@bp.get("/tasks")
def tasks():
    """What needs the signed-in person now, from the core and every feature package."""
    person = current_user._get_current_object()
    return render_template("main/tasks.html", person=person,
                           tasks=tasks_for_person(current_app, person),
                           consultation=get_current_consultation())


@bp.get("/favicon.ico")
def favicon():
    """The icon browsers ask for at /favicon.ico whatever the page links to."""
    return send_from_directory(current_app.static_folder, "img/favicon.ico",
                               mimetype="image/vnd.microsoft.icon", max_age=7 * 24 * 3600)


@bp.get("/healthz")
def healthz():
    """Liveness and database reachability, for load balancers and monitoring."""
    try:
        Session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:  # any driver error means "not healthy"; say which kind
        Session.rollback()
        current_app.logger.warning("Health check failed: %s", error)
        return jsonify({"status": "error", "database": f"unreachable: {type(error).__name__}"}), 503
    body = {"status": "ok", "database": "ok"}
    if current_app.config.get("KORERO_ENV") == "production":
        # Settings that weaken the site, by code only (the start-up log says what to change).
        body["warnings"] = [code for code, _message in production_warnings(current_app.config)]
    return jsonify(body)


@bp.post("/language")
def set_language():
    """Remember the chosen interface language and go back to the page it was chosen on."""
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    return redirect(safe_next(request.form.get("next")) or "/")


@bp.get("/accessibility")
def accessibility():
    """The accessibility statement."""
    return render_template(
        "main/accessibility.html",
        reviewed_on=date.fromisoformat(current_app.config["ACCESSIBILITY_REVIEWED_ON"]))


@bp.get("/privacy")
def privacy():
    """How Kōrero uses what people tell it."""
    return render_template("main/privacy.html", title=_("Privacy"))
