"""Workshops: workshops, bookings, outputs and private calendar feeds

Revision ID: workshops_0001
Revises: 0007
Create Date: 2026-11-28 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'workshops_0001'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'workshop',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('consultation_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('format', sa.String(length=20), nullable=False),
        sa.Column('region', sa.String(length=80), nullable=False),
        sa.Column('venue_address', sa.Text(), nullable=False),
        sa.Column('meeting_link', sa.String(length=500), nullable=False),
        sa.Column('timezone', sa.String(length=64), nullable=False),
        sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('capacity', sa.Integer(), nullable=False),
        sa.Column('booking_deadline_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('languages', sa.String(length=200), nullable=False),
        sa.Column('accessibility', sa.Text(), nullable=False),
        sa.Column('audience', sa.String(length=20), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('lock_version', sa.Integer(), nullable=False),
        sa.Column('ics_sequence', sa.Integer(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("format IN ('in_person', 'online', 'hybrid')",
                           name=op.f('ck_workshop_format_known')),
        sa.CheckConstraint("status IN ('draft', 'published', 'cancelled')",
                           name=op.f('ck_workshop_status_known')),
        sa.CheckConstraint('capacity > 0', name=op.f('ck_workshop_capacity_positive')),
        sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'],
                                name=op.f('fk_workshop_consultation_id_consultation'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'],
                                name=op.f('fk_workshop_created_by_id_user'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop')),
    )
    op.create_index(op.f('ix_workshop_consultation_id'), 'workshop', ['consultation_id'])
    op.create_index(op.f('ix_workshop_starts_at'), 'workshop', ['starts_at'])
    op.create_index(op.f('ix_workshop_status'), 'workshop', ['status'])
    op.create_table(
        'workshop_booking',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('workshop_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('access_needs', sa.Text(), nullable=False),
        sa.Column('dietary_needs', sa.Text(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=True),
        sa.Column('attendance', sa.String(length=20), nullable=True),
        sa.Column('reminder_sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('confirmed', 'waitlisted', 'cancelled')",
                           name=op.f('ck_workshop_booking_status_known')),
        sa.CheckConstraint("attendance IS NULL OR attendance IN ('attended', 'no_show')",
                           name=op.f('ck_workshop_booking_attendance_known')),
        sa.ForeignKeyConstraint(['workshop_id'], ['workshop.id'],
                                name=op.f('fk_workshop_booking_workshop_id_workshop'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_workshop_booking_user_id_user'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_workshop_booking_organisation_id_organisation'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_booking')),
        sa.UniqueConstraint('workshop_id', 'user_id', name='uq_workshop_booking_person'),
    )
    op.create_index(op.f('ix_workshop_booking_workshop_id'), 'workshop_booking', ['workshop_id'])
    op.create_index(op.f('ix_workshop_booking_user_id'), 'workshop_booking', ['user_id'])
    op.create_table(
        'workshop_output',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('workshop_id', sa.Integer(), nullable=False),
        sa.Column('feedback_item_id', sa.Integer(), nullable=True),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['workshop_id'], ['workshop.id'],
                                name=op.f('fk_workshop_output_workshop_id_workshop'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['feedback_item_id'], ['feedback_item.id'],
                                name=op.f('fk_workshop_output_feedback_item_id_feedback_item'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'],
                                name=op.f('fk_workshop_output_recorded_by_id_user'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_output')),
    )
    op.create_index(op.f('ix_workshop_output_workshop_id'), 'workshop_output', ['workshop_id'])
    op.create_table(
        'workshop_calendar_feed',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('is_revoked', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_workshop_calendar_feed_user_id_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_calendar_feed')),
        sa.UniqueConstraint('user_id', name=op.f('uq_workshop_calendar_feed_user_id')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_workshop_calendar_feed_token_hash')),
    )


def downgrade():
    op.drop_table('workshop_calendar_feed')
    op.drop_index(op.f('ix_workshop_output_workshop_id'), table_name='workshop_output')
    op.drop_table('workshop_output')
    op.drop_index(op.f('ix_workshop_booking_user_id'), table_name='workshop_booking')
    op.drop_index(op.f('ix_workshop_booking_workshop_id'), table_name='workshop_booking')
    op.drop_table('workshop_booking')
    op.drop_index(op.f('ix_workshop_status'), table_name='workshop')
    op.drop_index(op.f('ix_workshop_starts_at'), table_name='workshop')
    op.drop_index(op.f('ix_workshop_consultation_id'), table_name='workshop')
    op.drop_table('workshop')
