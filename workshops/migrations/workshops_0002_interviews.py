"""Interviews: consent, note revisions, key points and correction requests

Revision ID: workshops_0002
Revises: workshops_0001
Create Date: 2026-11-28 10:15:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'workshops_0002'
down_revision = 'workshops_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'workshop_interview',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('consultation_id', sa.Integer(), nullable=False),
        sa.Column('facilitator_id', sa.Integer(), nullable=True),
        sa.Column('interviewee_id', sa.Integer(), nullable=True),
        sa.Column('interviewee_name', sa.String(length=200), nullable=False),
        sa.Column('interviewee_organisation', sa.String(length=200), nullable=False),
        sa.Column('interviewee_contact', sa.String(length=254), nullable=False),
        sa.Column('scheduled_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('consent_analysis', sa.Boolean(), nullable=True),
        sa.Column('consent_quote', sa.String(length=20), nullable=True),
        sa.Column('consent_publish', sa.String(length=20), nullable=True),
        sa.Column('consent_governed_by_id', sa.Integer(), nullable=True),
        sa.Column('consent_method', sa.String(length=20), nullable=True),
        sa.Column('consent_given_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('consent_form_name', sa.String(length=100), nullable=True),
        sa.Column('consent_form_mimetype', sa.String(length=50), nullable=True),
        sa.Column('questions', sa.Text(), nullable=False),
        sa.Column('note_version', sa.Integer(), nullable=False),
        sa.Column('delete_by', sa.Date(), nullable=False),
        sa.Column('purged_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("consent_method IS NULL OR consent_method IN "
                           "('written', 'verbal', 'recorded')",
                           name=op.f('ck_workshop_interview_consent_method_known')),
        sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'],
                                name=op.f('fk_workshop_interview_consultation_id_consultation'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['facilitator_id'], ['user.id'],
                                name=op.f('fk_workshop_interview_facilitator_id_user'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['interviewee_id'], ['user.id'],
                                name=op.f('fk_workshop_interview_interviewee_id_user'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(
            ['consent_governed_by_id'], ['governance_group.id'],
            name=op.f('fk_workshop_interview_consent_governed_by_id_governance_group'),
            ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_interview')),
    )
    op.create_index(op.f('ix_workshop_interview_consultation_id'), 'workshop_interview',
                    ['consultation_id'])
    op.create_index(op.f('ix_workshop_interview_facilitator_id'), 'workshop_interview',
                    ['facilitator_id'])
    op.create_index(op.f('ix_workshop_interview_interviewee_id'), 'workshop_interview',
                    ['interviewee_id'])
    op.create_table(
        'workshop_interview_revision',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('interview_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('questions', sa.Text(), nullable=False),
        sa.Column('key_points', sa.Text(), nullable=False),
        sa.Column('saved_by_id', sa.Integer(), nullable=True),
        sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['interview_id'], ['workshop_interview.id'],
            name=op.f('fk_workshop_interview_revision_interview_id_workshop_interview'),
            ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['saved_by_id'], ['user.id'],
                                name=op.f('fk_workshop_interview_revision_saved_by_id_user'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_interview_revision')),
    )
    op.create_index(op.f('ix_workshop_interview_revision_interview_id'),
                    'workshop_interview_revision', ['interview_id'])
    op.create_table(
        'workshop_interview_key_point',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('interview_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('feedback_item_id', sa.Integer(), nullable=True),
        sa.Column('is_current', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ['interview_id'], ['workshop_interview.id'],
            name=op.f('fk_workshop_interview_key_point_interview_id_workshop_interview'),
            ondelete='CASCADE'),
        sa.ForeignKeyConstraint(
            ['feedback_item_id'], ['feedback_item.id'],
            name=op.f('fk_workshop_interview_key_point_feedback_item_id_feedback_item'),
            ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_interview_key_point')),
    )
    op.create_index(op.f('ix_workshop_interview_key_point_interview_id'),
                    'workshop_interview_key_point', ['interview_id'])
    op.create_table(
        'workshop_interview_correction',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('interview_id', sa.Integer(), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=True),
        sa.Column('statement', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('response', sa.Text(), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('open', 'accepted', 'refused')",
                           name=op.f('ck_workshop_interview_correction_status_known')),
        sa.ForeignKeyConstraint(
            ['interview_id'], ['workshop_interview.id'],
            name=op.f('fk_workshop_interview_correction_interview_id_workshop_interview'),
            ondelete='CASCADE'),
        sa.ForeignKeyConstraint(
            ['requested_by_id'], ['user.id'],
            name=op.f('fk_workshop_interview_correction_requested_by_id_user'),
            ondelete='SET NULL'),
        sa.ForeignKeyConstraint(
            ['decided_by_id'], ['user.id'],
            name=op.f('fk_workshop_interview_correction_decided_by_id_user'),
            ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_interview_correction')),
    )
    op.create_index(op.f('ix_workshop_interview_correction_interview_id'),
                    'workshop_interview_correction', ['interview_id'])


def downgrade():
    op.drop_index(op.f('ix_workshop_interview_correction_interview_id'),
                  table_name='workshop_interview_correction')
    op.drop_table('workshop_interview_correction')
    op.drop_index(op.f('ix_workshop_interview_key_point_interview_id'),
                  table_name='workshop_interview_key_point')
    op.drop_table('workshop_interview_key_point')
    op.drop_index(op.f('ix_workshop_interview_revision_interview_id'),
                  table_name='workshop_interview_revision')
    op.drop_table('workshop_interview_revision')
    op.drop_index(op.f('ix_workshop_interview_interviewee_id'), table_name='workshop_interview')
    op.drop_index(op.f('ix_workshop_interview_facilitator_id'), table_name='workshop_interview')
    op.drop_index(op.f('ix_workshop_interview_consultation_id'), table_name='workshop_interview')
    op.drop_table('workshop_interview')
