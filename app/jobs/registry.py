"""Job kinds: what each kind of job is called and the function that does its work.

A package registers its kinds when it is imported (and, for work that must happen regularly,
a schedule: see `schedule_job`):

    @job("forums.reindex", label=_l("Rebuild the forum search index"))
    def reindex(ctx, consultation_id):
        ...

The registry is process-wide (not per app), like Flask's CLI commands: the web process that
starts a job and the worker that runs it both import the same modules, so both know the kind.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

JobFunction = Callable[..., dict | None]


@dataclass(frozen=True)
class JobKind:
    kind: str
    label: object  # a string or lazy_gettext string, shown as the default title
    fn: JobFunction


_KINDS: dict[str, JobKind] = {}


def register_job(kind: str, label, fn: JobFunction) -> JobFunction:
    """Make FN run jobs of KIND. FN(ctx, **params) does the work, calls ctx.progress(...) as it
    goes and may return a small JSON-able dict: the result summary shown on the job page.
    Registering a second, different function for a kind already taken is a programming error."""
    existing = _KINDS.get(kind)
    if existing is not None and existing.fn is not fn:
        raise ValueError(f"job kind {kind!r} is already registered by {existing.fn!r}")
    _KINDS[kind] = JobKind(kind=kind, label=label, fn=fn)
    return fn


def job(kind: str, *, label) -> Callable[[JobFunction], JobFunction]:
    """Decorator form of register_job."""

    def decorator(fn: JobFunction) -> JobFunction:
        return register_job(kind, label, fn)

    return decorator


def get_kind(kind: str) -> JobKind | None:
    return _KINDS.get(kind)


def kinds() -> dict[str, JobKind]:
    return dict(_KINDS)


# ---------------------------------------------------------------- schedules


@dataclass(frozen=True)
class Schedule:
    """When the worker starts a job of KIND by itself: huey crontab fields, in UTC."""

    kind: str
    minute: str = "0"
    hour: str = "*"
    day: str = "*"
    month: str = "*"
    day_of_week: str = "*"

    @property
    def crontab_fields(self) -> dict[str, str]:
        return {"minute": self.minute, "hour": self.hour, "day": self.day,
                "month": self.month, "day_of_week": self.day_of_week}


_SCHEDULES: dict[str, Schedule] = {}


def schedule_job(kind: str, *, minute: str = "0", hour: str = "*", day: str = "*",
                 month: str = "*", day_of_week: str = "*") -> Schedule:
    """Have the job worker start a job of KIND (a registered kind taking no parameters) at
    the times these crontab fields (UTC) match, e.g. ``schedule_job("x", minute="5")`` at five
    past every hour. The worker skips a run while an earlier job of that kind is still queued
    or running, so a slow run never piles up behind itself."""
    entry = Schedule(kind, minute, hour, day, month, day_of_week)
    existing = _SCHEDULES.get(kind)
    if existing is not None and existing != entry:
        raise ValueError(f"job kind {kind!r} is already scheduled as {existing!r}")
    _SCHEDULES[kind] = entry
    return entry


def schedules() -> dict[str, Schedule]:
    return dict(_SCHEDULES)
_PERIODIC: list[Callable[[], None]] = []


def periodic(fn: Callable[[], None]) -> Callable[[], None]:
    """Run FN (no arguments, inside the app context) every minute in the worker and once at
    its start-up: a package's "start a job when work is owed" check (e.g. the intake sweep).
    FN commits what it starts; an exception is logged and does not stop the others."""
    if fn not in _PERIODIC:
        _PERIODIC.append(fn)
    return fn


def run_periodic() -> None:
    import logging

    from app.db import Session
    from app.jobs.contention import lost_a_race

    log = logging.getLogger("korero.jobs")
    for fn in tuple(_PERIODIC):  # a copy: a check may register another
        try:
            fn()
        except Exception as error:
            Session.rollback()
            if lost_a_race(error):  # a web request was writing: the check runs again in a minute
                log.info("periodic check %r: the database was busy; next minute", fn)
            else:
                log.exception("periodic check %r failed", fn)
