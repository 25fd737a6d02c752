"""Settings that weaken a production site: warned about in the log at start-up (create_app)
and listed by code on /healthz, for operators. (Not in app.config, which must not import the
accounts package: app.auth reads the settings.)"""
from __future__ import annotations

from app.auth.passwords import meets_owasp_minimum


def production_warnings(config) -> list[tuple[str, str]]:
    """(code, message) for each setting that weakens a production site: logged at start-up
    and listed by code on /healthz, for operators. Empty outside production."""
    if config.get("KORERO_ENV") != "production":
        return []
    found = []
    if not str(config.get("BASE_URL", "")).startswith("https://"):
        found.append(("base_url_not_https", (
            "BASE_URL is not https: session cookies are sent without Secure, no HSTS header "
            "is sent, and emailed links travel in clear. Serve the site over HTTPS and set "
            "BASE_URL to its https:// address.")))
    if config.get("SECRET_KEY_GENERATED"):
        found.append(("secret_key_generated", (
            "SECRET_KEY is not set: each host generates its own into instance/secret_key, so "
            "with several hosts sessions, forms and emailed links made on one fail on the "
            "others. Set the same SECRET_KEY on every host.")))
    if str(config.get("RATELIMIT_STORAGE_URI") or "memory://").startswith("memory"):
        found.append(("redis_missing", (
            "REDIS_URL is not set: each worker keeps its own rate-limit counts, so limits "
            "are multiplied by the number of workers and hosts. Set REDIS_URL in production.")))
    if not meets_owasp_minimum(int(config.get("ARGON2_TIME_COST", 0)),
                               int(config.get("ARGON2_MEMORY_COST", 0))):
        found.append(("argon2_below_owasp", (
            "ARGON2_TIME_COST and ARGON2_MEMORY_COST are below OWASP's recommended argon2id "
            "cost: stolen password hashes would be cheap to guess. Unset them for the "
            "default.")))
    return found
