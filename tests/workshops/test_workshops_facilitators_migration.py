"""Migration workshops_0004: each existing workshop is run by its creator when the creator is a
facilitator (until then any facilitator ran any workshop); others are left to admins."""
from __future__ import annotations

from sqlalchemy import create_engine, text

from app.migrate import alembic_config, upgrade

NOW = "2027-01-01 00:00:00.000000"


def _insert_before(connection) -> None:
    """Two people (a facilitator, an admin) and a workshop each, as the schema was before."""
    for user_id, role in ((1, "facilitator"), (2, "admin")):
        connection.execute(text(
            'INSERT INTO "user" (id, email, display_name, is_enabled, is_demo, session_version,'
            " created_at) VALUES (:id, :email, 'Someone', true, false, 1, :now)"),
            {"id": user_id, "email": f"{role}@example.test", "now": NOW})
        connection.execute(text("INSERT INTO user_role (user_id, role) VALUES (:id, :role)"),
                           {"id": user_id, "role": role})
    connection.execute(text(
        "INSERT INTO consultation (id, slug, title, summary, summary_html, opens_at, closes_at,"
        " status, created_at) VALUES (1, 'c', 'C', '', '', :now, :now, 'open', :now)"),
        {"now": NOW})
    for workshop_id, creator in ((1, 1), (2, 2), (3, None)):
        connection.execute(text(
            "INSERT INTO workshop (id, consultation_id, title, description, format, region,"
            " venue_address, meeting_link, timezone, starts_at, ends_at, capacity,"
            " booking_deadline_at, languages, accessibility, audience, status, lock_version,"
            " ics_sequence, created_by_id, created_at, updated_at) VALUES (:id, 1, 'W', '',"
            " 'online', '', '', 'https://m.test', 'Pacific/Auckland', :now, :now, 5, :now,"
            " 'en', '', 'everyone', 'published', 0, 0, :creator, :now, :now)"),
            {"id": workshop_id, "creator": creator, "now": NOW})


def _revision_before(revision: str) -> str:
    """The revision REVISION is chained onto (re-pointed by whoever merges)."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return scripts.get_revision(revision).down_revision


def test_existing_workshops_are_run_by_their_facilitator_creator(tmp_path):
    url = f"sqlite:///{tmp_path / 'before.db'}"
    upgrade(url, _revision_before("workshops_0004"))
    engine = create_engine(url)
    with engine.begin() as connection:
        _insert_before(connection)
    upgrade(url, "workshops_0004")
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT workshop_id, user_id, added_by_id FROM workshop_facilitator")).all()
    engine.dispose()
    # The facilitator's workshop is theirs; the admin's and the creator-less one are not.
    assert [tuple(row) for row in rows] == [(1, 1, 1)]
