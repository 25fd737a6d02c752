"""Workshops: each workshop's time zone is now chosen (and used for its pages and .ics files);
existing workshops get the site's zone, the one their times were typed in

Revision ID: workshops_0003
Revises: 0008
Create Date: 2026-11-28 12:20:00.000000
"""
import os
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from alembic import op

revision = 'workshops_0003'
# The head when this was written; the merger re-points this one line onto the newest head.
down_revision = '0008'
branch_labels = None
depends_on = None


def _site_zone() -> str:
    """KORERO_TIMEZONE, as the app reads it (app/config.py), when it is a real zone."""
    name = os.environ.get("KORERO_TIMEZONE", "Pacific/Auckland")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "Pacific/Auckland"
    return name


def upgrade() -> None:
    # Until now every workshop was stored as "Pacific/Auckland" whatever the site's zone,
    # while its times were typed (and shown) in the site's zone: record the zone really used.
    op.get_bind().execute(sa.text(
        "UPDATE workshop SET timezone = :zone WHERE timezone = 'Pacific/Auckland' "
        "OR timezone = '' OR timezone IS NULL"), {"zone": _site_zone()})


def downgrade() -> None:
    # Nothing to undo in the schema; the zones stay as recorded (they are the true ones).
    pass
