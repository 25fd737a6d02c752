"""Campaign screening in the corpus: feedback_campaign (a template and its member count) and
feedback_item.campaign_id / own_text (the campaign an item repeats and what it adds).

Revision ID: 0008
Revises: forums_0002
Create Date: 2026-11-28 12:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = 'forums_0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('feedback_campaign',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('question_key', sa.String(length=80), nullable=True),
    sa.Column('template_text', sa.Text(), nullable=False),
    sa.Column('member_count', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('detected_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'],
                            name=op.f('fk_feedback_campaign_consultation_id_consultation'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_campaign'))
    )
    with op.batch_alter_table('feedback_campaign', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_campaign_consultation_id'),
                              ['consultation_id'], unique=False)
    with op.batch_alter_table('feedback_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('campaign_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('own_text', sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f('ix_feedback_item_campaign_id'), ['campaign_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_feedback_item_campaign_id_feedback_campaign'),
                                    'feedback_campaign', ['campaign_id'], ['id'],
                                    ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('feedback_item', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_feedback_item_campaign_id_feedback_campaign'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_feedback_item_campaign_id'))
        batch_op.drop_column('own_text')
        batch_op.drop_column('campaign_id')
    with op.batch_alter_table('feedback_campaign', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_campaign_consultation_id'))
    op.drop_table('feedback_campaign')
