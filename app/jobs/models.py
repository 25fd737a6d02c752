"""The Job table: one row per piece of long work, its progress and its outcome.

The row is the truth about a job; the queue (huey) only carries "run job N" messages. Every
change of status is a conditional UPDATE (see app/jobs/runner.py), so two workers can never
both run one job, and a cancelled job stays cancelled.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.models import User

JOB_STATUSES = ("queued", "running", "done", "failed", "cancelled")
FINISHED_STATUSES = frozenset({"done", "failed", "cancelled"})
STATUS_LABELS = {
    "queued": _l("Waiting to start"),
    "running": _l("Running"),
    "done": _l("Finished"),
    "failed": _l("Failed"),
    "cancelled": _l("Cancelled"),
}
# Roles that see every job, not only their own.
SEE_ALL_ROLES = ("analyst", "admin")
MESSAGE_LENGTH = 500


class Job(Base):
    __tablename__ = "job"
    __table_args__ = (
        CheckConstraint("status IN ({})".format(", ".join(f"'{s}'" for s in JOB_STATUSES)),
                        name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int | None] = mapped_column(Integer)  # None: not known (yet)
    message: Mapped[str] = mapped_column(String(MESSAGE_LENGTH), default="")
    result: Mapped[dict | None] = mapped_column(JSON)  # a short summary for the job page
    error: Mapped[str | None] = mapped_column(Text)  # for people; the traceback is in the log
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    # What a resumable job saved at its last checkpoint; handed back to it after a restart.
    state: Mapped[dict | None] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True)  # None: started from the CLI
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Bumped each time a worker claims the job; also the fence that stops an older run's writes.
    attempts: Mapped[int] = mapped_column(Integer, default=0)

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind} {self.status}>"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))

    @property
    def percent(self) -> int | None:
        """Whole percent done, or None when the total is not known. Never 100 before the
        last item is done (99.6% shows as 99)."""
        if not self.progress_total:
            return 100 if self.status == "done" else None
        percent = round(self.progress_done * 100 / self.progress_total)
        if self.progress_done < self.progress_total:
            percent = min(percent, 99)
        return max(0, min(100, percent))

    def can_view(self, user) -> bool:
        """The person who started it, analysts and admins."""
        if not getattr(user, "is_authenticated", False):
            return False
        return self.created_by_id == user.id or user.has_role(*SEE_ALL_ROLES)

    def can_cancel(self, user) -> bool:
        """The person who started it, and admins."""
        if not getattr(user, "is_authenticated", False):
            return False
        return self.created_by_id == user.id or user.has_role("admin")
