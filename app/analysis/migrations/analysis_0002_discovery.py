"""Analysis: discovery_run and candidate_theme (automatic theme discovery and its review)

Revision ID: analysis_0002
Revises: analysis_0001
Create Date: 2026-11-28 13:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'analysis_0002'
down_revision = 'analysis_0001'
branch_labels = None
depends_on = None


def _dt(name, nullable=False):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _fk(table, column, target, ondelete):
    return sa.ForeignKeyConstraint([column], [f'{target}.id'], ondelete=ondelete,
                                   name=op.f(f'fk_{table}_{column}_{target}'))


def upgrade():
    op.create_table('discovery_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('method', sa.String(length=80), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('model_version', sa.String(length=120), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('item_count', sa.Integer(), nullable=False),
    sa.Column('theme_count', sa.Integer(), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=True),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    _dt('created_at'),
    _dt('finished_at', nullable=True),
    sa.CheckConstraint("status IN ('running', 'finished', 'failed')",
                       name=op.f('ck_discovery_run_status_known')),
    _fk('discovery_run', 'consultation_id', 'consultation', 'CASCADE'),
    _fk('discovery_run', 'job_id', 'job', 'SET NULL'),
    _fk('discovery_run', 'started_by_id', 'user', 'SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_discovery_run')))
    op.create_index(op.f('ix_discovery_run_consultation_id'), 'discovery_run',
                    ['consultation_id'])

    op.create_table('candidate_theme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=20), nullable=False),
    sa.Column('parent_key', sa.String(length=20), nullable=True),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('key_phrases', sa.Text(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('member_item_ids', sa.Text(), nullable=False),
    sa.Column('quote_item_ids', sa.Text(), nullable=False),
    sa.Column('redundant_with', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    _dt('decided_at', nullable=True),
    sa.CheckConstraint("status IN ('new', 'promoted', 'merged', 'dropped')",
                       name=op.f('ck_candidate_theme_status_known')),
    _fk('candidate_theme', 'run_id', 'discovery_run', 'CASCADE'),
    _fk('candidate_theme', 'theme_id', 'theme', 'SET NULL'),
    _fk('candidate_theme', 'decided_by_id', 'user', 'SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_candidate_theme')))
    op.create_index(op.f('ix_candidate_theme_run_id'), 'candidate_theme', ['run_id'])


def downgrade():
    op.drop_index(op.f('ix_candidate_theme_run_id'), table_name='candidate_theme')
    op.drop_table('candidate_theme')
    op.drop_index(op.f('ix_discovery_run_consultation_id'), table_name='discovery_run')
    op.drop_table('discovery_run')
