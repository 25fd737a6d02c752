"""Forum: spaces, members, threads, posts, revisions, flags, follows, notifications, read
markers, preferences; the search index (FTS5 on SQLite, a GIN expression index on PostgreSQL)

Revision ID: forums_0001
Revises: submissions_0001
Create Date: 2026-11-29 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'forums_0001'
# The core's head when this was written: the one line to re-point when the core moves on.
down_revision = 'submissions_0001'
branch_labels = None
depends_on = None


def _dt(name, nullable=False):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade():
    op.create_table('forum_space',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('audience', sa.String(length=20), nullable=True),
    sa.Column('stakeholder_group', sa.String(length=20), nullable=True),
    sa.Column('governance_group_id', sa.Integer(), nullable=True),
    sa.Column('staff_may_enter', sa.Boolean(), nullable=False),
    sa.Column('is_premoderated', sa.Boolean(), nullable=False),
    _dt('created_at'),
    sa.CheckConstraint("kind IN ('open', 'caucus')", name=op.f('ck_forum_space_kind_known')),
    sa.CheckConstraint("audience IS NULL OR audience IN ('stakeholder', 'governance', 'members')",
                       name=op.f('ck_forum_space_audience_known')),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], ondelete='CASCADE',
                            name=op.f('fk_forum_space_consultation_id_consultation')),
    sa.ForeignKeyConstraint(['governance_group_id'], ['governance_group.id'], ondelete='SET NULL',
                            name=op.f('fk_forum_space_governance_group_id_governance_group')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_space')))
    op.create_index(op.f('ix_forum_space_consultation_id'), 'forum_space', ['consultation_id'])

    op.create_table('forum_space_member',
    sa.Column('space_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.CheckConstraint("role IN ('member', 'moderator')",
                       name=op.f('ck_forum_space_member_role_known')),
    sa.ForeignKeyConstraint(['space_id'], ['forum_space.id'], ondelete='CASCADE',
                            name=op.f('fk_forum_space_member_space_id_forum_space')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE',
                            name=op.f('fk_forum_space_member_user_id_user')),
    sa.PrimaryKeyConstraint('space_id', 'user_id', name=op.f('pk_forum_space_member')))

    op.create_table('forum_thread',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('space_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('is_locked', sa.Boolean(), nullable=False),
    sa.Column('is_pinned', sa.Boolean(), nullable=False),
    sa.Column('reply_count', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    _dt('created_at'), _dt('last_activity_at'),
    sa.ForeignKeyConstraint(['space_id'], ['forum_space.id'], ondelete='CASCADE',
                            name=op.f('fk_forum_thread_space_id_forum_space')),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], ondelete='SET NULL',
                            name=op.f('fk_forum_thread_author_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_thread')))
    op.create_index('ix_forum_thread_space_activity', 'forum_thread',
                    ['space_id', 'is_pinned', 'last_activity_at'])

    op.create_table('forum_post',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('reply_to_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('identity', sa.String(length=20), nullable=False),
    sa.Column('group_key', sa.String(length=20), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('moderation_reason', sa.Text(), nullable=False),
    sa.Column('feedback_item_id', sa.Integer(), nullable=True),
    sa.Column('revision', sa.Integer(), nullable=False),
    _dt('created_at'), _dt('edited_at', True),
    sa.CheckConstraint("status IN ('published', 'pending', 'hidden', 'deleted')",
                       name=op.f('ck_forum_post_status_known')),
    sa.CheckConstraint("identity IN ('named', 'group')", name=op.f('ck_forum_post_identity_known')),
    sa.ForeignKeyConstraint(['thread_id'], ['forum_thread.id'], ondelete='CASCADE',
                            name=op.f('fk_forum_post_thread_id_forum_thread')),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], ondelete='SET NULL',
                            name=op.f('fk_forum_post_author_id_user')),
    sa.ForeignKeyConstraint(['reply_to_id'], ['forum_post.id'], ondelete='SET NULL',
                            name=op.f('fk_forum_post_reply_to_id_forum_post')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ondelete='SET NULL',
                            name=op.f('fk_forum_post_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['feedback_item_id'], ['feedback_item.id'], ondelete='SET NULL',
                            name=op.f('fk_forum_post_feedback_item_id_feedback_item')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_post')))
    op.create_index('ix_forum_post_thread_created', 'forum_post',
                    ['thread_id', 'created_at', 'id'])
    op.create_index(op.f('ix_forum_post_author_id'), 'forum_post', ['author_id'])

    op.create_table('forum_post_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    _dt('written_at'),
    sa.ForeignKeyConstraint(['post_id'], ['forum_post.id'], ondelete='CASCADE',
                            name=op.f('fk_forum_post_revision_post_id_forum_post')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_post_revision')))
    op.create_index(op.f('ix_forum_post_revision_post_id'), 'forum_post_revision', ['post_id'])

    op.create_table('forum_flag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('flagged_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    _dt('created_at'), _dt('resolved_at', True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['post_id'], ['forum_post.id'], ondelete='CASCADE',
                            name=op.f('fk_forum_flag_post_id_forum_post')),
    sa.ForeignKeyConstraint(['flagged_by_id'], ['user.id'], ondelete='SET NULL',
                            name=op.f('fk_forum_flag_flagged_by_id_user')),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['user.id'], ondelete='SET NULL',
                            name=op.f('fk_forum_flag_resolved_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_flag')))
    op.create_index(op.f('ix_forum_flag_post_id'), 'forum_flag', ['post_id'])

    op.create_table('forum_follow',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=True),
    sa.Column('space_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE',
                            name=op.f('fk_forum_follow_user_id_user')),
    sa.ForeignKeyConstraint(['thread_id'], ['forum_thread.id'], ondelete='CASCADE',
                            name=op.f('fk_forum_follow_thread_id_forum_thread')),
    sa.ForeignKeyConstraint(['space_id'], ['forum_space.id'], ondelete='CASCADE',
                            name=op.f('fk_forum_follow_space_id_forum_space')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_follow')),
    sa.UniqueConstraint('user_id', 'thread_id', 'space_id', name=op.f('uq_follow')))
    for column in ('user_id', 'thread_id', 'space_id'):
        op.create_index(op.f(f'ix_forum_follow_{column}'), 'forum_follow', [column])

    op.create_table('forum_notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    _dt('created_at'), _dt('read_at', True), _dt('emailed_at', True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE',
                            name=op.f('fk_forum_notification_user_id_user')),
    sa.ForeignKeyConstraint(['post_id'], ['forum_post.id'], ondelete='CASCADE',
                            name=op.f('fk_forum_notification_post_id_forum_post')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_notification')),
    sa.UniqueConstraint('user_id', 'post_id', name=op.f('uq_notification_once')))
    op.create_index(op.f('ix_forum_notification_user_id'), 'forum_notification', ['user_id'])

    op.create_table('forum_read',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    _dt('read_at'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE',
                            name=op.f('fk_forum_read_user_id_user')),
    sa.ForeignKeyConstraint(['thread_id'], ['forum_thread.id'], ondelete='CASCADE',
                            name=op.f('fk_forum_read_thread_id_forum_thread')),
    sa.PrimaryKeyConstraint('user_id', 'thread_id', name=op.f('pk_forum_read')))

    op.create_table('forum_preference',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('consent_analysis', sa.Boolean(), nullable=False),
    sa.Column('consent_quote', sa.String(length=20), nullable=False),
    sa.Column('consent_publish', sa.String(length=20), nullable=False),
    sa.Column('email_mode', sa.String(length=20), nullable=False),
    _dt('updated_at'),
    sa.CheckConstraint("email_mode IN ('immediate', 'daily', 'none')",
                       name=op.f('ck_forum_preference_email_mode_known')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE',
                            name=op.f('fk_forum_preference_user_id_user')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_forum_preference')))

    if op.get_bind().dialect.name == 'postgresql':
        op.execute("CREATE INDEX ix_forum_post_search ON forum_post "
                   "USING gin (to_tsvector('simple', search_text))")
    else:
        op.execute("CREATE VIRTUAL TABLE forum_post_fts USING fts5("
                   "search_text, tokenize = 'unicode61 remove_diacritics 2')")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP INDEX IF EXISTS ix_forum_post_search")
    else:
        op.execute("DROP TABLE IF EXISTS forum_post_fts")
    for table in ('forum_preference', 'forum_read', 'forum_notification', 'forum_follow',
                  'forum_flag', 'forum_post_revision', 'forum_post', 'forum_thread',
                  'forum_space_member', 'forum_space'):
        op.drop_table(table)
