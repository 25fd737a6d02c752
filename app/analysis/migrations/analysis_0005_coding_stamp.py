"""Analysis: codebook.coding_stamp, moved by triggers with every change the coding figures
depend on (app/analysis/stamps.py), so the method notes' figures are cached under it

Revision ID: analysis_0005
Revises: reports_0002
Create Date: 2026-12-04 11:00:00
"""
import sqlalchemy as sa
from alembic import op

from app.analysis.stamps import install_statements, new_stamp_sql, remove_statements

revision = 'analysis_0005'
down_revision = 'reports_0002'
branch_labels = None
depends_on = None


def upgrade():
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table('codebook') as batch:
        batch.add_column(sa.Column('coding_stamp', sa.String(length=32), nullable=False,
                                   server_default=''))
    op.execute(f"UPDATE codebook SET coding_stamp = {new_stamp_sql(dialect)}")
    for statement in install_statements(dialect):
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for statement in remove_statements(dialect):
        op.execute(statement)
    with op.batch_alter_table('codebook') as batch:
        batch.drop_column('coding_stamp')
