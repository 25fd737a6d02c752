"""Flask-Limiter, without its work on the requests no limit applies to.

Flask-Limiter resolves, in every request, which limits apply (the view's, its blueprint's,
the defaults, the meta limits) before it finds that there are none: about 360 Python calls,
some 15% of a signed-in page's floor, on every page that declares no limit (most of them:
only sign-in, registration, password and two-factor changes, posting, flagging and booking
declare one). `no_limit_applies`, a request filter, answers that question once per endpoint
and process: True only when the view carries no limit of this limiter and there are no
default, application, meta or blueprint limits at all, so a request it exempts is one
Flask-Limiter would have counted against nothing. Every limited path is checked as before.
"""
from __future__ import annotations

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_qualified_name

# What Flask-Limiter sets on the view its @limit decorator returns (functools.wraps carries it
# to any decorator wrapped around that).
LIMITER_MARK = "__wrapper-limiter-instance"
_CACHE_KEY = "korero_unlimited_endpoints"


def init_app(app: Flask, limiter: Limiter) -> None:
    limiter.init_app(app)
    app.extensions[_CACHE_KEY] = {}
    if not getattr(limiter, "_korero_filter", False):  # one limiter serves every app built
        limiter.request_filter(lambda: no_limit_applies(limiter))
        limiter._korero_filter = True


def no_limit_applies(limiter: Limiter) -> bool:
    app = current_app._get_current_object()
    known = app.extensions.setdefault(_CACHE_KEY, {})
    endpoint = request.endpoint or ""
    found = known.get(endpoint)
    if found is None:
        found = known[endpoint] = declares_no_limit(app, limiter, endpoint)
    return found


def declares_no_limit(app: Flask, limiter: Limiter, endpoint: str) -> bool:
    """Whether no limit of LIMITER can apply to ENDPOINT: its view is not limited, and the
    limiter has no limit that applies beyond decorated views."""
    manager = limiter.limit_manager
    if (manager.default_limits or manager.application_limits
            or getattr(limiter, "_meta_limits", None)
            or getattr(manager, "_blueprint_limits", None)):
        return False
    view = app.view_functions.get(endpoint)
    if view is None or getattr(view, LIMITER_MARK, None) is not None:
        return False
    name = get_qualified_name(view)
    return name not in limiter._marked_for_limiting and not manager.has_hints(endpoint)
