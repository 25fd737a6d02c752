"""Audit log: keyed seals (HMAC, key outside the database), erasable personal details, and
triggers refusing SQLite's INSERT OR REPLACE

Existing rows: when their SHA-256 chain still verifies, they are re-sealed under the audit key
(personal details moved to audit_personal first); when it does not, they are left exactly as
they are, marked scheme 1, so the evidence of tampering is kept and `audit-verify` still
reports it. See docs/architecture.md, "The audit log".

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 12:00:00
"""
import hashlib
import json
import secrets
from datetime import UTC
from types import SimpleNamespace

import sqlalchemy as sa
from alembic import op

from app.config import instance_path
from app.db import UTCDateTime
from app.privacy.append_only import install_statements, remove_statements
from app.privacy.seal import KEYED_SCHEME, keyed_seal, load_keyring, personal_digest

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

BATCH = 2000
# Frozen copies (what record_event treats as personal when this revision was written).
PERSONAL_DETAIL_KEYS = frozenset({"email", "display_name", "phone"})
PERSONAL_DETAIL_BY_ACTION = {"user.renamed": frozenset({"old", "new"})}

events = sa.table(
    'audit_event', sa.column('id', sa.Integer), sa.column('occurred_at', UTCDateTime),
    sa.column('actor_id', sa.Integer), sa.column('actor_email', sa.String),
    sa.column('action', sa.String), sa.column('target_type', sa.String),
    sa.column('target_id', sa.String), sa.column('detail', sa.Text),
    sa.column('ip_address', sa.String), sa.column('prev_hash', sa.String),
    sa.column('hash', sa.String), sa.column('personal_seals', sa.Text),
    sa.column('scheme', sa.Integer), sa.column('key_id', sa.String),
)
personal = sa.table(
    'audit_personal', sa.column('event_id', sa.Integer), sa.column('role', sa.String),
    sa.column('person_id', sa.Integer), sa.column('email', sa.String),
    sa.column('data', sa.Text), sa.column('salt', sa.String),
)


def _canonical(data):
    return json.dumps(data or {}, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def _legacy_digest(row, prev_hash):
    """The scheme-1 hash exactly as app/privacy/audit.py computed it before this revision."""
    fields = {name: getattr(row, name) for name in (
        "id", "actor_id", "actor_email", "action", "target_type", "target_id", "detail",
        "ip_address")}
    fields["occurred_at"] = row.occurred_at.astimezone(UTC).isoformat()
    fields["prev_hash"] = prev_hash
    return hashlib.sha256(_canonical(fields).encode("utf-8")).hexdigest()


def _batches(bind):
    last_id = 0
    while True:
        rows = bind.execute(sa.select(events).where(events.c.id > last_id)
                            .order_by(events.c.id).limit(BATCH)).all()
        if not rows:
            return
        yield rows
        last_id = rows[-1].id


def _old_chain_verifies(bind) -> bool:
    prev_hash = ""
    for rows in _batches(bind):
        for row in rows:
            if row.prev_hash != prev_hash or row.hash != _legacy_digest(row, prev_hash):
                return False
            prev_hash = row.hash
    return True


def _side(bind, event_id, role, person_id, data):
    payload = _canonical(data)
    salt = secrets.token_hex(16)
    email = data.get("email") or data.get("detail", {}).get("email") or ""
    bind.execute(personal.insert().values(event_id=event_id, role=role, person_id=person_id,
                                          email=str(email)[:254], data=payload, salt=salt))
    return personal_digest(salt, payload)


def _reseal(bind):
    keyring = load_keyring(instance_path())
    prev_hash = ""
    for rows in _batches(bind):
        for row in rows:
            detail = json.loads(row.detail or "{}")
            keys = PERSONAL_DETAIL_KEYS | PERSONAL_DETAIL_BY_ACTION.get(row.action, frozenset())
            subject = {k: detail.pop(k) for k in sorted(detail) if k in keys}
            seals = {}
            actor = {k: v for k, v in (("email", row.actor_email), ("ip", row.ip_address)) if v}
            if actor:
                seals["actor"] = _side(bind, row.id, "actor", row.actor_id, actor)
            if subject:
                person_id = int(row.target_id) if row.target_type == "user" and \
                    row.target_id.isdigit() else None
                seals["subject"] = _side(bind, row.id, "subject", person_id,
                                         {"detail": subject})
            new = SimpleNamespace(**row._mapping)
            new.actor_email, new.ip_address, new.detail = "", "", _canonical(detail)
            new.personal_seals, new.scheme, new.key_id = (
                _canonical(seals), KEYED_SCHEME, keyring.current_id)
            new.prev_hash = prev_hash
            new.hash = keyed_seal(new, prev_hash, keyring)
            bind.execute(events.update().where(events.c.id == row.id).values(
                actor_email="", ip_address="", detail=new.detail,
                personal_seals=new.personal_seals, scheme=KEYED_SCHEME, key_id=new.key_id,
                prev_hash=prev_hash, hash=new.hash))
            prev_hash = new.hash


def upgrade():
    bind = op.get_bind()
    dialect = bind.dialect.name
    op.add_column('audit_event', sa.Column('personal_seals', sa.Text(), nullable=False,
                                           server_default='{}'))
    op.add_column('audit_event', sa.Column('scheme', sa.Integer(), nullable=False,
                                           server_default='1'))
    op.add_column('audit_event', sa.Column('key_id', sa.String(length=40), nullable=False,
                                           server_default=''))
    op.create_table('audit_personal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('data', sa.Text(), nullable=True),
    sa.Column('salt', sa.String(length=32), nullable=True),
    sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('erasure_event_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_personal')),
    sa.UniqueConstraint('event_id', 'role', name=op.f('uq_audit_personal_event_id'))
    )
    op.create_index(op.f('ix_audit_personal_email'), 'audit_personal', ['email'], unique=False)
    op.create_index(op.f('ix_audit_personal_event_id'), 'audit_personal', ['event_id'],
                    unique=False)
    op.create_index(op.f('ix_audit_personal_person_id'), 'audit_personal', ['person_id'],
                    unique=False)
    for statement in remove_statements(dialect, version=1):
        op.execute(sa.text(statement))
    has_rows = bind.execute(sa.select(events.c.id).limit(1)).first() is not None
    if has_rows and _old_chain_verifies(bind):
        _reseal(bind)
    for statement in install_statements(dialect, version=2):
        op.execute(sa.text(statement))


def downgrade():
    bind = op.get_bind()
    dialect = bind.dialect.name
    if bind.execute(sa.select(events.c.id).where(events.c.scheme == KEYED_SCHEME)
                    .limit(1)).first() is not None:
        raise RuntimeError("The audit log holds keyed rows: going back below 0006 would strip "
                           "their seals and personal details. Restore a backup instead.")
    for statement in remove_statements(dialect, version=2):
        op.execute(sa.text(statement))
    op.drop_index(op.f('ix_audit_personal_person_id'), table_name='audit_personal')
    op.drop_index(op.f('ix_audit_personal_event_id'), table_name='audit_personal')
    op.drop_index(op.f('ix_audit_personal_email'), table_name='audit_personal')
    op.drop_table('audit_personal')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_column('key_id')
        batch_op.drop_column('scheme')
        batch_op.drop_column('personal_seals')
    for statement in install_statements(dialect, version=1):
        op.execute(sa.text(statement))
