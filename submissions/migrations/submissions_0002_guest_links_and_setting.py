"""Submissions: people without an account are allowed per consultation (not per form), and the
secret link of a guest's receipt (only its SHA-256 stored)

Revision ID: submissions_0002
Revises: workshops_0003
Create Date: 2026-11-28 12:13:39.260696
"""
import sqlalchemy as sa
from alembic import op

revision = 'submissions_0002'
# The head when this was written; the merger re-points this one line onto the newest head.
down_revision = 'workshops_0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('submission_consultation_settings',
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('allows_guests', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_submission_consultation_settings_consultation_id_consultation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('consultation_id', name=op.f('pk_submission_consultation_settings'))
    )
    op.create_table('submission_guest_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_submission_guest_link_submission_id_submission'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_guest_link')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_submission_guest_link_token_hash'))
    )
    with op.batch_alter_table('submission_guest_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_guest_link_submission_id'), ['submission_id'], unique=False)
    # A consultation allowed guests when any of its forms did.
    op.execute(
        "INSERT INTO submission_consultation_settings (consultation_id, allows_guests, updated_at) "
        "SELECT consultation_id, MAX(CASE WHEN allows_guests THEN 1 ELSE 0 END) = 1, "
        "CURRENT_TIMESTAMP FROM submission_form GROUP BY consultation_id")
    with op.batch_alter_table('submission_form', schema=None) as batch_op:
        batch_op.drop_column('allows_guests')


def downgrade() -> None:
    with op.batch_alter_table('submission_form', schema=None) as batch_op:
        batch_op.add_column(sa.Column('allows_guests', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    op.execute(
        "UPDATE submission_form SET allows_guests = COALESCE((SELECT s.allows_guests FROM "
        "submission_consultation_settings s WHERE s.consultation_id = "
        "submission_form.consultation_id), allows_guests)")
    with op.batch_alter_table('submission_guest_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_guest_link_submission_id'))
    op.drop_table('submission_guest_link')
    op.drop_table('submission_consultation_settings')
