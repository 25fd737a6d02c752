"""Corpus: feedback sources come from a registry, and items remember who recorded them

- feedback_item loses its CHECK on `source`: the registry in app.corpus.sources is checked by
  record_feedback instead, so a feature package adds a source without a migration;
- feedback_item.recorded_by_id: who recorded the item (the analyst who imported a row, the
  facilitator who wrote up an interview); NULL for a system import and for older rows.

On SQLite both changes rebuild the table (batch mode). env.py turns foreign keys off around the
migration, so dropping the old table does not cascade into consent_change.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

OLD_SOURCES = "('forum_post', 'workshop_output', 'interview_note', 'submission_answer', " \
              "'imported_row')"


def _check_sqlite_foreign_keys(when: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    if when == "before" and bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        # Rebuilding feedback_item with foreign keys on would delete its consent history.
        raise RuntimeError("migration 0004 must run with SQLite foreign keys off "
                           "(app/migrations/env.py does this outside a transaction)")
    if when == "after" and bind.exec_driver_sql("PRAGMA foreign_key_check").first():
        raise RuntimeError("migration 0004 left a foreign key broken; rolled back")


def upgrade():
    _check_sqlite_foreign_keys("before")
    with op.batch_alter_table('feedback_item', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_feedback_item_source_known'), type_='check')
        batch_op.add_column(sa.Column('recorded_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_feedback_item_recorded_by_id_user'), 'user',
                                    ['recorded_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index(batch_op.f('ix_feedback_item_recorded_by_id'), ['recorded_by_id'],
                              unique=False)
    _check_sqlite_foreign_keys("after")


def downgrade():
    # Fails, as it should, while items from a source registered since remain.
    _check_sqlite_foreign_keys("before")
    with op.batch_alter_table('feedback_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_item_recorded_by_id'))
        batch_op.drop_constraint(batch_op.f('fk_feedback_item_recorded_by_id_user'),
                                 type_='foreignkey')
        batch_op.drop_column('recorded_by_id')
        batch_op.create_check_constraint(batch_op.f('ck_feedback_item_source_known'),
                                         sa.text(f"source IN {OLD_SOURCES}"))
    _check_sqlite_foreign_keys("after")
