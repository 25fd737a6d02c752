"""A workshop's time zone: an IANA name (Pacific/Auckland by default, the site's KORERO_TIMEZONE),
in which its times are typed, shown and written to its calendar files."""
from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask import current_app, has_app_context

from app.web.dates import DEFAULT_TIMEZONE

# The zones a facilitator picks from first: Aotearoa and the Pacific nations whose people the
# consultation reaches, then Australia and UTC. Any other IANA name is accepted too.
COMMON_ZONES = ("Pacific/Auckland", "Pacific/Chatham", "Pacific/Rarotonga", "Pacific/Apia",
                "Pacific/Tongatapu", "Pacific/Fiji", "Pacific/Niue", "Pacific/Fakaofo",
                "Australia/Sydney", "Australia/Brisbane", "Australia/Perth", "UTC")


def default_zone_name() -> str:
    """The site's time zone (KORERO_TIMEZONE), the default for a new workshop."""
    name = current_app.config.get("BABEL_DEFAULT_TIMEZONE") if has_app_context() else None
    return name or DEFAULT_TIMEZONE


@lru_cache(maxsize=1)
def _all_zones() -> frozenset[str]:
    """The tz database's names: read from disk once (available_timezones walks the tree)."""
    return frozenset(available_timezones())


def is_known_zone(name: str | None) -> bool:
    if not name or name not in _all_zones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def zone_of(name: str | None) -> ZoneInfo:
    """The ZoneInfo for NAME; the site's zone for an unknown one (old rows, typos)."""
    return ZoneInfo(name if is_known_zone(name) else default_zone_name())


def zone_choices() -> list[tuple[str, str]]:
    """(name, label) for the form: the common zones (and the site's), then every other."""
    first = list(dict.fromkeys((default_zone_name(), *COMMON_ZONES)))
    # Region/City names only: no legacy aliases ("NZ", "US/Pacific") or "localtime".
    rest = sorted(name for name in _all_zones() - set(first)
                  if "/" in name and not name.startswith(("Etc/", "SystemV/", "posix/",
                                                          "right/", "US/", "Canada/",
                                                          "Brazil/", "Chile/", "Mexico/")))
    return [(name, name.replace("_", " ")) for name in (*first, *rest)]
