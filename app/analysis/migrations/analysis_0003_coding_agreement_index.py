"""Analysis: an index on coding (origin, status, item_id, coder_id) for the method notes

The agreement figures of a report's method notes look up only the items two analysts coded
(origin analyst, applied, grouped by item) and the items with a reviewed model suggestion
(origin model): this index answers both without reading every coding.

Revision ID: analysis_0003
Revises: submissions_0003
Create Date: 2026-11-28 13:25:00
"""
from alembic import op

revision = 'analysis_0003'
down_revision = 'submissions_0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_coding_origin_status_item', 'coding',
                    ['origin', 'status', 'item_id', 'coder_id'], unique=False)


def downgrade():
    op.drop_index('ix_coding_origin_status_item', table_name='coding')
