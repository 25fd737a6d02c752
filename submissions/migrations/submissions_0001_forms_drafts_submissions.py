"""Submissions: forms, versions, questions, drafts, submissions, answers, attachments, redactions

Revision ID: submissions_0001
Revises: workshops_0002
Create Date: 2026-11-28 10:28:09.961720
"""
import sqlalchemy as sa
from alembic import op

revision = 'submissions_0001'
# The core's head when this was written; the merger re-points this one line onto the
# newest head of the other branches.
down_revision = 'workshops_0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('submission_form',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('intro', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('allows_guests', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_submission_form_consultation_id_consultation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_submission_form_created_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_form'))
    )
    with op.batch_alter_table('submission_form', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_form_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('submission_form_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['form_id'], ['submission_form.id'], name=op.f('fk_submission_form_version_form_id_submission_form'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_form_version')),
    sa.UniqueConstraint('form_id', 'number', name=op.f('uq_submission_form_version_form_id'))
    )
    with op.batch_alter_table('submission_form_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_form_version_form_id'), ['form_id'], unique=False)

    op.create_table('submission_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('guest_name', sa.String(length=120), nullable=False),
    sa.Column('guest_email', sa.String(length=254), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('consent', sa.JSON(), nullable=False),
    sa.Column('submitter_role', sa.String(length=200), nullable=False),
    sa.Column('is_authorised', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('submit_key', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['form_id'], ['submission_form.id'], name=op.f('fk_submission_draft_form_id_submission_form'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_submission_draft_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_submission_draft_owner_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_submission_draft_updated_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['version_id'], ['submission_form_version.id'], name=op.f('fk_submission_draft_version_id_submission_form_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_draft')),
    sa.UniqueConstraint('submit_key', name=op.f('uq_submission_draft_submit_key'))
    )
    with op.batch_alter_table('submission_draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_draft_form_id'), ['form_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_draft_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_draft_owner_id'), ['owner_id'], unique=False)

    op.create_table('submission_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('prompt', sa.Text(), nullable=False),
    sa.Column('help_text', sa.Text(), nullable=False),
    sa.Column('is_required', sa.Boolean(), nullable=False),
    sa.Column('max_chars', sa.Integer(), nullable=True),
    sa.Column('choices', sa.JSON(), nullable=False),
    sa.Column('show_if_key', sa.String(length=40), nullable=True),
    sa.Column('show_if_value', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['version_id'], ['submission_form_version.id'], name=op.f('fk_submission_question_version_id_submission_form_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_question')),
    sa.UniqueConstraint('version_id', 'key', name=op.f('uq_submission_question_version_id'))
    )
    with op.batch_alter_table('submission_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_question_version_id'), ['version_id'], unique=False)

    op.create_table('submission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('idempotency_key', sa.String(length=40), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('submitter_role', sa.String(length=200), nullable=False),
    sa.Column('is_authorised', sa.Boolean(), nullable=False),
    sa.Column('guest_name', sa.String(length=120), nullable=False),
    sa.Column('guest_email', sa.String(length=254), nullable=False),
    sa.Column('email_confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('consent', sa.JSON(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['draft_id'], ['submission_draft.id'], name=op.f('fk_submission_draft_id_submission_draft'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['form_id'], ['submission_form.id'], name=op.f('fk_submission_form_id_submission_form'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_submission_organisation_id_organisation'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user.id'], name=op.f('fk_submission_submitted_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['version_id'], ['submission_form_version.id'], name=op.f('fk_submission_version_id_submission_form_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission')),
    sa.UniqueConstraint('draft_id', name=op.f('uq_submission_draft_id')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_submission_idempotency_key')),
    sa.UniqueConstraint('reference', name=op.f('uq_submission_reference'))
    )
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_form_id'), ['form_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_published_at'), ['published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_submission_submitted_by_id'), ['submitted_by_id'], unique=False)

    op.create_table('submission_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['draft_id'], ['submission_draft.id'], name=op.f('fk_submission_attachment_draft_id_submission_draft'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], name=op.f('fk_submission_attachment_uploaded_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_attachment')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_submission_attachment_stored_name'))
    )
    with op.batch_alter_table('submission_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_attachment_draft_id'), ['draft_id'], unique=False)

    op.create_table('submission_draft_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('changed_keys', sa.JSON(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['draft_id'], ['submission_draft.id'], name=op.f('fk_submission_draft_change_draft_id_submission_draft'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_submission_draft_change_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_draft_change'))
    )
    with op.batch_alter_table('submission_draft_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_draft_change_draft_id'), ['draft_id'], unique=False)

    op.create_table('submission_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('question_key', sa.String(length=40), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('value', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_submission_answer_submission_id_submission'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_answer')),
    sa.UniqueConstraint('submission_id', 'question_key', name=op.f('uq_submission_answer_submission_id'))
    )
    with op.batch_alter_table('submission_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_answer_submission_id'), ['submission_id'], unique=False)

    op.create_table('submission_redaction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('question_key', sa.String(length=40), nullable=False),
    sa.Column('passage', sa.Text(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('redacted_by_id', sa.Integer(), nullable=True),
    sa.Column('redacted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['redacted_by_id'], ['user.id'], name=op.f('fk_submission_redaction_redacted_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_submission_redaction_submission_id_submission'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_redaction'))
    )
    with op.batch_alter_table('submission_redaction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_redaction_submission_id'), ['submission_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('submission_redaction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_redaction_submission_id'))

    op.drop_table('submission_redaction')
    with op.batch_alter_table('submission_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_answer_submission_id'))

    op.drop_table('submission_answer')
    with op.batch_alter_table('submission_draft_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_draft_change_draft_id'))

    op.drop_table('submission_draft_change')
    with op.batch_alter_table('submission_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_attachment_draft_id'))

    op.drop_table('submission_attachment')
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_submitted_by_id'))
        batch_op.drop_index(batch_op.f('ix_submission_published_at'))
        batch_op.drop_index(batch_op.f('ix_submission_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_submission_form_id'))

    op.drop_table('submission')
    with op.batch_alter_table('submission_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_question_version_id'))

    op.drop_table('submission_question')
    with op.batch_alter_table('submission_draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_draft_owner_id'))
        batch_op.drop_index(batch_op.f('ix_submission_draft_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_submission_draft_form_id'))

    op.drop_table('submission_draft')
    with op.batch_alter_table('submission_form_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_form_version_form_id'))

    op.drop_table('submission_form_version')
    with op.batch_alter_table('submission_form', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_form_consultation_id'))

    op.drop_table('submission_form')
