"""Hardening (issue 15): consent agreements, sign-in links, encrypted TOTP secrets

- consent_change.agreement_method / agreement_at: when someone other than the person who gave
  the feedback widens its consent (or removes its governance group), how and when that person
  agreed.
- sign_in_link: one-time links emailed to the owner of an account under a password-guessing
  attack, so they can still sign in (only the SHA-256 of the token is kept).
- user.totp_secret is widened to hold the encrypted secret; the plaintext secrets already
  stored are encrypted by `app.encryption.encrypt_stored_totp_secrets`, which this migration
  runs with the application's key (SECRET_KEY, as app.config reads it).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('consent_change', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agreement_method', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('agreement_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table('sign_in_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_sign_in_link_user_id_user'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_link')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_sign_in_link_token_hash'))
    )
    with op.batch_alter_table('sign_in_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_link_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=64),
                              type_=sa.String(length=255), existing_nullable=True)

    from app.encryption import encrypt_stored_totp_secrets

    encrypt_stored_totp_secrets(op.get_bind())


def downgrade():
    from app.encryption import decrypt_stored_totp_secrets

    decrypt_stored_totp_secrets(op.get_bind())
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=255),
                              type_=sa.String(length=64), existing_nullable=True)
    with op.batch_alter_table('sign_in_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_link_user_id'))
    op.drop_table('sign_in_link')
    with op.batch_alter_table('consent_change', schema=None) as batch_op:
        batch_op.drop_column('agreement_at')
        batch_op.drop_column('agreement_method')
