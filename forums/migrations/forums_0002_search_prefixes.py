"""Forum search: SQLite's FTS5 index gets prefix indexes (2, 3 and 4 characters), so a
prefix query such as "the"* reads one index entry instead of merging every word it starts;
the index is rebuilt from the published posts. PostgreSQL: nothing to do.

Revision ID: forums_0002
Revises: forums_0001
Create Date: 2026-11-28 10:30:00
"""
from alembic import op

revision = 'forums_0002'
down_revision = 'forums_0001'
branch_labels = None
depends_on = None

TOKENIZE = "tokenize = 'unicode61 remove_diacritics 2'"


def _rebuild(options: str) -> None:
    op.execute("DROP TABLE IF EXISTS forum_post_fts")
    op.execute(f"CREATE VIRTUAL TABLE forum_post_fts USING fts5(search_text, {options})")
    op.execute("INSERT INTO forum_post_fts (rowid, search_text) "
               "SELECT id, search_text FROM forum_post WHERE status = 'published'")


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        _rebuild(f"{TOKENIZE}, prefix = '2 3 4'")


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        _rebuild(TOKENIZE)
