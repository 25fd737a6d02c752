"""Analysis: codebook, codebook_version, theme, coding, item_annotation

Revision ID: analysis_0001
Revises: submissions_0002
Create Date: 2026-11-28 12:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'analysis_0001'
# The core's head when this was written: the one line to re-point when the core moves on.
down_revision = 'submissions_0002'
branch_labels = None
depends_on = None


def _dt(name, nullable=False):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _fk(table, column, target, ondelete):
    return sa.ForeignKeyConstraint([column], [f'{target}.id'], ondelete=ondelete,
                                   name=op.f(f'fk_{table}_{column}_{target}'))


def upgrade():
    op.create_table('codebook',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    _dt('updated_at'),
    _fk('codebook', 'consultation_id', 'consultation', 'CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_codebook')),
    sa.UniqueConstraint('consultation_id', name=op.f('uq_codebook_consultation_id')))

    op.create_table('codebook_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('codebook_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    _dt('created_at'),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('snapshot', sa.Text(), nullable=False),
    _fk('codebook_version', 'codebook_id', 'codebook', 'CASCADE'),
    _fk('codebook_version', 'created_by_id', 'user', 'SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_codebook_version')),
    sa.UniqueConstraint('codebook_id', 'number', name=op.f('uq_codebook_version_codebook_id')))
    op.create_index(op.f('ix_codebook_version_codebook_id'), 'codebook_version', ['codebook_id'])

    op.create_table('theme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('codebook_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('colour', sa.String(length=7), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    _dt('created_at'),
    sa.CheckConstraint("status IN ('active', 'merged', 'deleted')",
                       name=op.f('ck_theme_status_known')),
    sa.CheckConstraint('parent_id IS NULL OR parent_id <> id',
                       name=op.f('ck_theme_not_own_parent')),
    _fk('theme', 'codebook_id', 'codebook', 'CASCADE'),
    _fk('theme', 'parent_id', 'theme', 'SET NULL'),
    _fk('theme', 'merged_into_id', 'theme', 'SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_theme')))
    op.create_index(op.f('ix_theme_codebook_id'), 'theme', ['codebook_id'])
    op.create_index(op.f('ix_theme_parent_id'), 'theme', ['parent_id'])

    op.create_table('coding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.Column('span_start', sa.Integer(), nullable=True),
    sa.Column('span_end', sa.Integer(), nullable=True),
    sa.Column('span_text', sa.Text(), nullable=True),
    sa.Column('stance', sa.String(length=10), nullable=True),
    sa.Column('origin', sa.String(length=10), nullable=False),
    sa.Column('coder_id', sa.Integer(), nullable=True),
    sa.Column('model_version', sa.String(length=80), nullable=True),
    sa.Column('confidence', sa.Float(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    _dt('created_at'),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    _dt('reviewed_at', nullable=True),
    sa.CheckConstraint("stance IS NULL OR stance IN ('supports', 'opposes', 'mixed', 'unclear')",
                       name=op.f('ck_coding_stance_known')),
    sa.CheckConstraint("origin IN ('analyst', 'model')", name=op.f('ck_coding_origin_known')),
    sa.CheckConstraint("status IN ('applied', 'suggested', 'rejected')",
                       name=op.f('ck_coding_status_known')),
    sa.CheckConstraint(
        "(span_start IS NULL AND span_end IS NULL) OR "
        "(span_start IS NOT NULL AND span_end IS NOT NULL AND span_start >= 0 "
        "AND span_end > span_start)", name=op.f('ck_coding_span_valid')),
    sa.CheckConstraint("confidence IS NULL OR (confidence >= 0 AND confidence <= 1)",
                       name=op.f('ck_coding_confidence_range')),
    _fk('coding', 'item_id', 'feedback_item', 'CASCADE'),
    _fk('coding', 'theme_id', 'theme', 'CASCADE'),
    _fk('coding', 'coder_id', 'user', 'SET NULL'),
    _fk('coding', 'reviewed_by_id', 'user', 'SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coding')))
    op.create_index(op.f('ix_coding_item_id'), 'coding', ['item_id'])
    op.create_index(op.f('ix_coding_theme_id'), 'coding', ['theme_id'])
    op.create_index(op.f('ix_coding_coder_id'), 'coding', ['coder_id'])

    op.create_table('item_annotation',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('evidence_rich', sa.Boolean(), nullable=False),
    sa.Column('marked_by_id', sa.Integer(), nullable=True),
    _dt('marked_at', nullable=True),
    _fk('item_annotation', 'item_id', 'feedback_item', 'CASCADE'),
    _fk('item_annotation', 'marked_by_id', 'user', 'SET NULL'),
    sa.PrimaryKeyConstraint('item_id', name=op.f('pk_item_annotation')))


def downgrade():
    op.drop_table('item_annotation')
    op.drop_index(op.f('ix_coding_coder_id'), table_name='coding')
    op.drop_index(op.f('ix_coding_theme_id'), table_name='coding')
    op.drop_index(op.f('ix_coding_item_id'), table_name='coding')
    op.drop_table('coding')
    op.drop_index(op.f('ix_theme_parent_id'), table_name='theme')
    op.drop_index(op.f('ix_theme_codebook_id'), table_name='theme')
    op.drop_table('theme')
    op.drop_index(op.f('ix_codebook_version_codebook_id'), table_name='codebook_version')
    op.drop_table('codebook_version')
    op.drop_table('codebook')
