"""Flask extensions, created unbound and initialised in create_app()."""
from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from app.web.requests import client_ip


def client_address() -> str:
    """The key per-address rate limits count by: app.web.requests.client_ip (which honours
    TRUSTED_PROXIES), with every address-less request counted together."""
    return client_ip() or "unknown"


login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=client_address)
babel = Babel()
