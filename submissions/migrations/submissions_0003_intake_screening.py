"""Submissions: intake sweeper state (recorded_at index, receipt_sent_at, source_hash) and
the screening table

Revision ID: submissions_0003
Revises: workshops_0004
Create Date: 2026-11-28 12:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'submissions_0003'
# The newest head when this was written; the merger re-points this line.
down_revision = 'workshops_0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.add_column(sa.Column('receipt_sent_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('source_hash', sa.String(length=24), nullable=True))
        batch_op.create_index(batch_op.f('ix_submission_recorded_at'), ['recorded_at'], unique=False)
        batch_op.create_index('ix_submission_source_hash_submitted_at',
                              ['source_hash', 'submitted_at'], unique=False)
    # Submissions recorded before this revision have had their receipts sent by the old job.
    op.execute("UPDATE submission SET receipt_sent_at = recorded_at WHERE recorded_at IS NOT NULL")
    op.create_table('submission_review',
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('flags', sa.JSON(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('flagged_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_submission_review_consultation_id_consultation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_submission_review_decided_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_submission_review_submission_id_submission'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('submission_id', name=op.f('pk_submission_review'))
    )
    op.create_index('ix_submission_review_queue', 'submission_review', ['consultation_id', 'status'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_submission_review_queue', table_name='submission_review')
    op.drop_table('submission_review')
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_index('ix_submission_source_hash_submitted_at')
        batch_op.drop_index(batch_op.f('ix_submission_recorded_at'))
        batch_op.drop_column('source_hash')
        batch_op.drop_column('receipt_sent_at')
