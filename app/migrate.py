"""Apply Alembic migrations from code (the CLI, `make run` and the test suite use this).

The revisions form ONE chain: the core's in app/migrations/versions and each feature package's
in the folder its registration names (`FeaturePackage.migrations`). A package's new revision
revises whatever the head is when it is written (`flask --app app db-revision --package NAME`
does that); tests/test_migrations.py fails when two revisions revise the same one (two heads),
and the later one is then re-pointed onto the other.
"""
from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig

from app.packages import migration_folders

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str, connection=None) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    # os.pathsep between folders, so a path with spaces in it still works.
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", os.pathsep.join(
        str(folder) for folder in [MIGRATIONS / "versions", *migration_folders()]))
    cfg.attributes["database_url"] = database_url
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)
