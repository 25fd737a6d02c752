"""Forum: files attached to posts, and each person's key to their Atom feeds

Revision ID: forums_0003
Revises: analysis_0003
Create Date: 2026-12-02 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'forums_0003'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('forum_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=120), nullable=False),
    sa.Column('mimetype', sa.String(length=50), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['forum_post.id'], ondelete='CASCADE',
                            name=op.f('fk_forum_attachment_post_id_forum_post')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_attachment')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_forum_attachment_stored_name')))
    op.create_index(op.f('ix_forum_attachment_post_id'), 'forum_attachment', ['post_id'])

    op.create_table('forum_feed_key',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('salt', sa.String(length=64), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE',
                            name=op.f('fk_forum_feed_key_user_id_user')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_forum_feed_key')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_forum_feed_key_token_hash')))


def downgrade():
    op.drop_table('forum_feed_key')
    op.drop_index(op.f('ix_forum_attachment_post_id'), table_name='forum_attachment')
    op.drop_table('forum_attachment')
