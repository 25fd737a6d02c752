"""Reports: covering indexes for a report's aggregate passes

A report counts the consultation's countable items by source and group (participation) and
each item's applied codings per theme (mentions and stances). With these two indexes SQLite
reads both from index pages only, in an order that needs no sort for the per-item step:
feedback_item (consultation_id, consent_analysis, campaign_id, source, stakeholder_group,
governed_by_id) and coding (item_id, status, theme_id, stance, origin).

Revision ID: reports_0002
Revises: analysis_0004
Create Date: 2026-12-04 10:00:00
"""
from alembic import op

revision = 'reports_0002'
down_revision = 'analysis_0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_feedback_item_report', 'feedback_item',
                    ['consultation_id', 'consent_analysis', 'campaign_id', 'source',
                     'stakeholder_group', 'governed_by_id'], unique=False)
    op.create_index('ix_coding_item_status_theme', 'coding',
                    ['item_id', 'status', 'theme_id', 'stance', 'origin'], unique=False)


def downgrade():
    op.drop_index('ix_coding_item_status_theme', table_name='coding')
    op.drop_index('ix_feedback_item_report', table_name='feedback_item')
