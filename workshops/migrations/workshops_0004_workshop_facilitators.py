"""Workshops: facilitators are assigned per workshop (only they and admins see its roster and
access needs); each existing workshop gets its creator, when they are a facilitator

Revision ID: workshops_0004
Revises: reports_0001
Create Date: 2026-11-28 13:10:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = 'workshops_0004'
# The head when this was written; the merger re-points this one line onto the newest head.
down_revision = 'reports_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'workshop_facilitator',
        sa.Column('workshop_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('added_by_id', sa.Integer(), nullable=True),
        sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['workshop_id'], ['workshop.id'],
                                name=op.f('fk_workshop_facilitator_workshop_id_workshop'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_workshop_facilitator_user_id_user'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['added_by_id'], ['user.id'],
                                name=op.f('fk_workshop_facilitator_added_by_id_user'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('workshop_id', 'user_id', name=op.f('pk_workshop_facilitator')),
    )
    op.create_index(op.f('ix_workshop_facilitator_user_id'), 'workshop_facilitator',
                    ['user_id'])
    # Until now any facilitator ran any workshop: keep the one who created each (if they are
    # still a facilitator) running it; admins add the others.
    op.get_bind().execute(sa.text(
        "INSERT INTO workshop_facilitator (workshop_id, user_id, added_by_id, added_at) "
        "SELECT w.id, w.created_by_id, w.created_by_id, w.created_at FROM workshop w "
        "JOIN user_role r ON r.user_id = w.created_by_id AND r.role = 'facilitator'"))


def downgrade() -> None:
    op.drop_index(op.f('ix_workshop_facilitator_user_id'), table_name='workshop_facilitator')
    op.drop_table('workshop_facilitator')
