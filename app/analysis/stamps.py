"""Database triggers that keep `codebook.coding_stamp` moving with everything the coding
figures of a consultation depend on, so those figures can be cached under it.

The stamp takes a new random value (never a counter: a rolled-back change must not leave a
cached figure under a value that a later, different change could take again) whenever, in the
codebook's consultation:

- a coding is inserted, updated or deleted (by the ORM, a bulk statement, or a cascade from a
  deleted item or user);
- a theme is updated (retired, merged, moved) or deleted;
- an item's countability changes (consent to analysis withdrawn or given back), or an item
  moves between consultations.

Triggers rather than application hooks, so no write path can forget it. On PostgreSQL they run
once per statement (transition tables), so a bulk insert of codings updates the codebook row
once; writers of codings in one consultation then queue on that row until they commit, as
they already queue on SQLite's one writer. Change them only through a new migration.
"""
from __future__ import annotations

_SQLITE_NEW = "lower(hex(randomblob(8)))"
_POSTGRES_NEW = "substr(md5(random()::text || clock_timestamp()::text), 1, 16)"


def _bump_sqlite(where: str) -> str:
    return f"UPDATE codebook SET coding_stamp = {_SQLITE_NEW} WHERE {where};"


_SQLITE = (
    f"""CREATE TRIGGER coding_stamp_insert AFTER INSERT ON coding BEGIN
        {_bump_sqlite("id = (SELECT codebook_id FROM theme WHERE id = NEW.theme_id)")} END""",
    f"""CREATE TRIGGER coding_stamp_update AFTER UPDATE ON coding BEGIN
        {_bump_sqlite("id IN (SELECT codebook_id FROM theme "
                      "WHERE id IN (OLD.theme_id, NEW.theme_id))")} END""",
    f"""CREATE TRIGGER coding_stamp_delete AFTER DELETE ON coding BEGIN
        {_bump_sqlite("id = (SELECT codebook_id FROM theme WHERE id = OLD.theme_id)")} END""",
    f"""CREATE TRIGGER coding_stamp_theme_update AFTER UPDATE ON theme BEGIN
        {_bump_sqlite("id IN (OLD.codebook_id, NEW.codebook_id)")} END""",
    f"""CREATE TRIGGER coding_stamp_theme_delete AFTER DELETE ON theme BEGIN
        {_bump_sqlite("id = OLD.codebook_id")} END""",
    f"""CREATE TRIGGER coding_stamp_item_update
        AFTER UPDATE OF consent_analysis, consultation_id ON feedback_item
        WHEN OLD.consent_analysis IS NOT NEW.consent_analysis
          OR OLD.consultation_id <> NEW.consultation_id BEGIN
        {_bump_sqlite("consultation_id IN (OLD.consultation_id, NEW.consultation_id)")} END""",
)
_SQLITE_REMOVE = tuple(f"DROP TRIGGER IF EXISTS {name}" for name in (
    "coding_stamp_insert", "coding_stamp_update", "coding_stamp_delete",
    "coding_stamp_theme_update", "coding_stamp_theme_delete", "coding_stamp_item_update"))


def _bump_postgres(where: str) -> str:
    return f"UPDATE codebook SET coding_stamp = {_POSTGRES_NEW} WHERE {where};"


_POSTGRES = (
    f"""CREATE OR REPLACE FUNCTION analysis_coding_stamp() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP IN ('INSERT', 'UPDATE') THEN
            {_bump_postgres("id IN (SELECT theme.codebook_id FROM theme "
                            "JOIN new_rows ON new_rows.theme_id = theme.id)")}
          END IF;
          IF TG_OP IN ('UPDATE', 'DELETE') THEN
            {_bump_postgres("id IN (SELECT theme.codebook_id FROM theme "
                            "JOIN old_rows ON old_rows.theme_id = theme.id)")}
          END IF;
          RETURN NULL;
        END $$""",
    """CREATE TRIGGER coding_stamp_insert AFTER INSERT ON coding
        REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION analysis_coding_stamp()""",
    """CREATE TRIGGER coding_stamp_update AFTER UPDATE ON coding
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION analysis_coding_stamp()""",
    """CREATE TRIGGER coding_stamp_delete AFTER DELETE ON coding
        REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION analysis_coding_stamp()""",
    f"""CREATE OR REPLACE FUNCTION analysis_theme_stamp() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'UPDATE' THEN
            {_bump_postgres("id IN (SELECT codebook_id FROM new_rows)")}
          END IF;
          {_bump_postgres("id IN (SELECT codebook_id FROM old_rows)")}
          RETURN NULL;
        END $$""",
    """CREATE TRIGGER coding_stamp_theme_update AFTER UPDATE ON theme
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION analysis_theme_stamp()""",
    """CREATE TRIGGER coding_stamp_theme_delete AFTER DELETE ON theme
        REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION analysis_theme_stamp()""",
    f"""CREATE OR REPLACE FUNCTION analysis_item_stamp() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          {_bump_postgres(
              "consultation_id IN (SELECT unnest(ARRAY[o.consultation_id, n.consultation_id]) "
              "FROM old_rows o JOIN new_rows n ON n.id = o.id "
              "WHERE o.consent_analysis IS DISTINCT FROM n.consent_analysis "
              "OR o.consultation_id <> n.consultation_id)")}
          RETURN NULL;
        END $$""",
    """CREATE TRIGGER coding_stamp_item_update AFTER UPDATE ON feedback_item
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION analysis_item_stamp()""",
)
_POSTGRES_REMOVE = (
    "DROP TRIGGER IF EXISTS coding_stamp_insert ON coding",
    "DROP TRIGGER IF EXISTS coding_stamp_update ON coding",
    "DROP TRIGGER IF EXISTS coding_stamp_delete ON coding",
    "DROP TRIGGER IF EXISTS coding_stamp_theme_update ON theme",
    "DROP TRIGGER IF EXISTS coding_stamp_theme_delete ON theme",
    "DROP TRIGGER IF EXISTS coding_stamp_item_update ON feedback_item",
    "DROP FUNCTION IF EXISTS analysis_coding_stamp()",
    "DROP FUNCTION IF EXISTS analysis_theme_stamp()",
    "DROP FUNCTION IF EXISTS analysis_item_stamp()",
)


def new_stamp_sql(dialect: str) -> str:
    """A fresh random stamp, as an SQL expression of DIALECT."""
    return _POSTGRES_NEW if dialect == "postgresql" else _SQLITE_NEW


def install_statements(dialect: str) -> tuple[str, ...]:
    return _POSTGRES if dialect == "postgresql" else _SQLITE


def remove_statements(dialect: str) -> tuple[str, ...]:
    return _POSTGRES_REMOVE if dialect == "postgresql" else _SQLITE_REMOVE
