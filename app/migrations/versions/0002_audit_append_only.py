"""Audit log: append-only triggers; actor_id no longer a foreign key

Deleting an account used to SET NULL the actor_id of its audit rows, which rewrote hashed rows
and broke the chain. The log keeps the id and email of whoever acted, account or not.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 01:00:00
"""
import sqlalchemy as sa
from alembic import op

from app.privacy.append_only import install_statements, remove_statements

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_constraint('fk_audit_event_actor_id_user', type_='foreignkey')
    for statement in install_statements(op.get_bind().dialect.name, version=1):
        op.execute(sa.text(statement))


def downgrade():
    for statement in remove_statements(op.get_bind().dialect.name, version=1):
        op.execute(sa.text(statement))
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_audit_event_actor_id_user', 'user', ['actor_id'], ['id'],
                                    ondelete='SET NULL')
