"""Reports: report, report_build, report_approval_request

Revision ID: reports_0001
Revises: analysis_0002
Create Date: 2026-11-28 12:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'reports_0001'
# Reports read the analysis tables, so this chain follows analysis's newest revision.
down_revision = 'analysis_0002'
branch_labels = None
depends_on = None


def _dt(name, nullable=False):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _fk(table, column, target, ondelete):
    return sa.ForeignKeyConstraint([column], [f'{target}.id'], ondelete=ondelete,
                                   name=op.f(f'fk_{table}_{column}_{target}'))


def upgrade():
    op.create_table('report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('audience', sa.String(length=20), nullable=False),
    sa.Column('filters', sa.Text(), nullable=False),
    sa.Column('seed', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    _dt('created_at'),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('public_sections', sa.Text(), nullable=False),
    _dt('published_at', nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("audience IN ('working_group', 'public')",
                       name=op.f('ck_report_audience_known')),
    _fk('report', 'consultation_id', 'consultation', 'CASCADE'),
    _fk('report', 'created_by_id', 'user', 'SET NULL'),
    _fk('report', 'published_by_id', 'user', 'SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report')))
    op.create_index(op.f('ix_report_consultation_id'), 'report', ['consultation_id'])

    op.create_table('report_build',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    _dt('built_at'),
    sa.Column('built_by_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('filters', sa.Text(), nullable=False),
    sa.Column('codebook_version', sa.Integer(), nullable=True),
    sa.Column('consent_digest', sa.String(length=80), nullable=False),
    sa.Column('approvals', sa.Text(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.CheckConstraint("status IN ('current', 'outdated')",
                       name=op.f('ck_report_build_status_known')),
    _fk('report_build', 'report_id', 'report', 'CASCADE'),
    _fk('report_build', 'built_by_id', 'user', 'SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_build')))
    op.create_index(op.f('ix_report_build_report_id'), 'report_build', ['report_id'])

    op.create_table('report_approval_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('use', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    _dt('created_at'),
    _dt('decided_at', nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('conditions', sa.Text(), nullable=False),
    sa.Column('approval_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("use IN ('quote', 'breakdown')",
                       name=op.f('ck_report_approval_request_use_known')),
    sa.CheckConstraint("status IN ('pending', 'approved', 'declined')",
                       name=op.f('ck_report_approval_request_status_known')),
    _fk('report_approval_request', 'report_id', 'report', 'CASCADE'),
    _fk('report_approval_request', 'group_id', 'governance_group', 'CASCADE'),
    _fk('report_approval_request', 'decided_by_id', 'user', 'SET NULL'),
    _fk('report_approval_request', 'approval_id', 'governance_approval', 'SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_approval_request')))
    op.create_index(op.f('ix_report_approval_request_report_id'), 'report_approval_request',
                    ['report_id'])
    op.create_index(op.f('ix_report_approval_request_group_id'), 'report_approval_request',
                    ['group_id'])


def downgrade():
    op.drop_table('report_approval_request')
    op.drop_table('report_build')
    op.drop_table('report')
