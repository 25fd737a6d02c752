"""Two-factor: the newest TOTP time step each person used, shared by every worker

A code is accepted once: its time step must be newer than the one stored here, checked and
stored by one conditional UPDATE. This replaces a per-process memory that let a code seen by one
gunicorn worker be replayed against another.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('totp_use',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('last_step', sa.BigInteger(), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_totp_use_user_id_user'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_totp_use'))
    )


def downgrade():
    op.drop_table('totp_use')
