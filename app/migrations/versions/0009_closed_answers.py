"""Closed-question answers in the corpus: feedback_question (a consultation's closed question:
its label, kind and options) and feedback_choice (the options an item's answer chose).

New tables only: feedback_item is not rebuilt.

Revision ID: 0009
Revises: analysis_0003
Create Date: 2026-12-03 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = 'analysis_0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('feedback_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('question_key', sa.String(length=80), nullable=False),
    sa.Column('prompt', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('single_choice', 'multiple_choice', 'scale', 'yes_no', "
                       "'ranking')", name=op.f('ck_feedback_question_kind_known')),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'],
                            name=op.f('fk_feedback_question_consultation_id_consultation'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_question')),
    sa.UniqueConstraint('consultation_id', 'question_key', name='uq_feedback_question_key'),
    )
    with op.batch_alter_table('feedback_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_question_consultation_id'),
                              ['consultation_id'], unique=False)
    op.create_table('feedback_choice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('option', sa.Text(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['feedback_item.id'],
                            name=op.f('fk_feedback_choice_item_id_feedback_item'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_choice')),
    sa.UniqueConstraint('item_id', 'option', name='uq_feedback_choice_option'),
    )
    with op.batch_alter_table('feedback_choice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_choice_item_id'), ['item_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('feedback_choice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_choice_item_id'))
    op.drop_table('feedback_choice')
    with op.batch_alter_table('feedback_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_question_consultation_id'))
    op.drop_table('feedback_question')
