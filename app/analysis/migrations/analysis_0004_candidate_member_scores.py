"""Analysis: candidate_theme.member_scores (each member's similarity to its theme)

Promoting a candidate theme codes its members as the model's suggestions, each with its
similarity to the theme's centre as the confidence: the discovery stores them beside the
member ids. Runs stored before this have none ('[]'): their suggestions carry no confidence.

Revision ID: analysis_0004
Revises: forums_0003
Create Date: 2026-11-29 15:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'analysis_0004'
down_revision = 'forums_0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('candidate_theme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('member_scores', sa.Text(), nullable=False,
                                      server_default='[]'))


def downgrade():
    with op.batch_alter_table('candidate_theme', schema=None) as batch_op:
        batch_op.drop_column('member_scores')
