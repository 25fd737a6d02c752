"""Kōrero: the application factory."""
from __future__ import annotations

import functools
import logging
from datetime import datetime
from pathlib import Path

from flask import Flask, has_request_context, request, session
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header
from werkzeug.middleware.proxy_fix import ProxyFix

from app.config import PROJECT_ROOT, Config

__all__ = ["create_app"]


class Korero(Flask):
    """Flask, with the check that a hook or view is not a coroutine made once per function.
    Flask asks `inspect.iscoroutinefunction` for every before/after/teardown hook and the
    view on every request (eight or more times a request); the answer never changes."""

    _sync_limit = 4096

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._known_sync: dict = {}

    def ensure_sync(self, func):
        known = self._known_sync
        try:
            if func in known:
                return func
        except TypeError:  # not hashable: ask Flask every time
            return super().ensure_sync(func)
        result = super().ensure_sync(func)
        if result is func:
            if len(known) >= self._sync_limit:
                known.clear()
            known[func] = True
        return result


def create_app(config: Config | None = None) -> Flask:
    """Build the application. Nothing is created at import time."""
    config = config or Config()
    app = Korero(
        __name__,
        instance_path=config.INSTANCE_PATH,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(Path(__file__).parent / "static"),
        instance_relative_config=True,
    )
    from app.i18n import KoreroRequest

    app.request_class = KoreroRequest  # WTForms' messages cached per language, not per request
    app.config.from_object(config)
    app.config.from_pyfile("config.py", silent=True)
    Path(app.instance_path).mkdir(mode=0o700, parents=True, exist_ok=True)
    logging.basicConfig(level=app.config["LOG_LEVEL"])
    if app.config.get("TRUSTED_PROXIES"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=int(app.config["TRUSTED_PROXIES"]),
                                x_proto=1, x_host=1)

    _warn_about_production_settings(app)
    _init_extensions(app)
    _register_blueprints(app)
    from app import cli, packages, permissions

    # Feature packages plug in here, through their registrations (app/packages.py).
    packages.init_app(app, permissions.CORE_ACCESS)

    cli.init_app(app)
    return app


def _init_extensions(app: Flask) -> None:
    from app import db, encryption, errors, permissions, rate_limits, security
    from app.auth import sessions
    from app.extensions import babel, csrf, limiter

    db.init_app(app)
    encryption.init_app(app)  # the key of the TOTP secrets stored encrypted
    _load_models()
    csrf.init_app(app)
    rate_limits.init_app(app, limiter)  # skips its work where no limit applies
    babel.init_app(app, locale_selector=_select_locale)
    from app import i18n

    i18n.install_template_gettext(app)  # after Babel's own: the same, found once a request
    from app.auth import cached_reads

    cached_reads.init_app(app)  # after the limiter's hook, before the idle-timeout hook
    sessions.init_app(app)  # Flask-Login and the idle timeout, before the permission check
    permissions.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    _init_template_helpers(app)
    from app.jobs import tasks as job_queue

    job_queue.init_app(app)  # the huey queue, from the settings (REDIS_URL or a SQLite file)
    from app.privacy import checkpoints, seal  # noqa: F401 - checkpoints hooks in on import

    seal.configure(app.config)  # the audit keys (AUDIT_KEY or the key file) and checkpoints


def _init_template_helpers(app: Flask) -> None:
    from flask_babel import format_datetime, get_locale

    from app.web import dates, reo

    app.jinja_env.globals["current_locale"] = lambda: str(get_locale() or "en")
    # <html lang>: the interface language's full tag (New Zealand English, "en-NZ").
    app.jinja_env.globals["page_lang"] = lambda: app.config["LANGUAGE_TAGS"].get(
        str(get_locale() or "en"), str(get_locale() or "en"))
    app.jinja_env.globals["format_datetime"] = format_datetime
    # The year in the site's time zone, as Babel's "yyyy" writes it (plain digits), without
    # Babel's whole formatting of a date on every page, nor Flask-Babel's look-up of the zone
    # (there is no per-person zone: it is always the site's).
    app.jinja_env.globals["copyright_year"] = lambda: str(
        datetime.now(dates.site_timezone()).year)
    dates.init_app(app)  # |human_datetime, |human_date, |iso_datetime
    reo.init_app(app)  # |mi: lang="mi" on Māori words in English text


def _select_locale() -> str:
    from flask import current_app

    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and jobs: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    header = request.headers.get("Accept-Language")
    return _best_language(header, tuple(languages)) if header else "en"


@functools.lru_cache(maxsize=256)
def _best_language(header: str, languages: tuple[str, ...]) -> str:
    """The best of LANGUAGES for an Accept-Language HEADER: parsing it cost a twentieth of a
    cached page, and a browser sends the same header on every request."""
    return parse_accept_header(header, LanguageAccept).best_match(languages) or "en"


def _warn_about_production_settings(app: Flask) -> None:
    """Say so in the log when a production site runs with a setting that weakens it (the
    same list is on /healthz, by code)."""
    from app.startup_checks import production_warnings

    for _code, message in production_warnings(app.config):
        logging.getLogger("korero").warning(message)


def _load_models() -> None:
    """Import every core model module so the metadata (and Alembic) sees all tables; each
    package's models are imported through its registration."""
    import app.auth.models
    import app.corpus.models
    import app.governance.models
    import app.jobs.models
    import app.models
    import app.privacy.models  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    """The core's own blueprints; feature packages register theirs through app.packages."""
    from app.admin.views import bp as admin_bp
    from app.auth.views import bp as auth_bp
    from app.jobs.views import bp as jobs_bp
    from app.main.views import bp as main_bp
    from app.privacy.views import bp as privacy_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp, url_prefix="/account")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(privacy_bp, url_prefix="/oversight")
    app.register_blueprint(jobs_bp, url_prefix="/jobs")
