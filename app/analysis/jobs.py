"""The analysis jobs: theme discovery and assisted coding run in the background (app.jobs), so
the analyst keeps working while they run; the job page shows their progress."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.analysis import discovery
from app.analysis.models import DiscoveryRun
from app.analysis.queries import active_themes, current_codebook
from app.db import Session, utcnow
from app.errors import OperationRefused
from app.jobs.registry import job
from app.jobs.runner import JobFailed

STEPS = 1000  # discovery reports fractions; the job's progress is out of this many steps
BATCH = 500  # assisted coding: items predicted and committed per step


def _failed(run: DiscoveryRun, message: str) -> JobFailed:
    run.status, run.finished_at = "failed", utcnow()
    Session.commit()
    return JobFailed(message)


@job("analysis.discover", label=_l("Discover candidate themes"))
def discover_themes(ctx, run_id: int) -> dict:
    run = Session.get(DiscoveryRun, run_id)
    if run is None:
        raise JobFailed(_("That discovery run no longer exists."))

    def progress(fraction: float, message: str) -> None:
        ctx.progress(int(max(0.0, min(1.0, fraction)) * STEPS), STEPS, message)

    try:
        discovery.run_discovery(run, progress)
    except OperationRefused as error:
        Session.rollback()
        raise _failed(Session.get(DiscoveryRun, run_id), str(error)) from None
    except Exception:
        Session.rollback()
        _failed(Session.get(DiscoveryRun, run_id), "")
        raise  # the runner logs it and fails the job with a general message
    Session.commit()
    return {"candidate_themes": run.theme_count, "items": run.item_count,
            "method": run.method, "seconds": round(run.seconds or 0, 1)}


def assist(consultation_id: int, *, seed: int = 0, progress=None) -> dict:
    """Train the assistant on the analysts' codings and store suggestions for every uncoded
    item, committing batch by batch. PROGRESS(done, total, message) reports."""
    from app.analysis.engine import train_assistant

    codebook = current_codebook(consultation_id)
    if codebook is None:
        raise OperationRefused(_("The consultation has no codebook yet."))
    texts, labels = discovery.training_set(consultation_id, codebook)
    if len(texts) < discovery.MIN_TRAINING_ITEMS:
        raise OperationRefused(_("Code at least %(n)s items first (%(done)s so far): the model "
                                 "learns from them.", n=discovery.MIN_TRAINING_ITEMS,
                                 done=len(texts)))
    assistant = train_assistant(texts, labels, seed=seed)
    active = {theme.id for theme in active_themes(codebook.id)}
    items = discovery.items_to_suggest(consultation_id, codebook)
    stored = 0
    for start in range(0, len(items), BATCH):
        stored += discovery.suggest_for(assistant, items[start:start + BATCH], active)
        if progress is not None:
            progress(min(start + BATCH, len(items)), len(items),
                     _("Suggested themes for %(n)s items.", n=min(start + BATCH, len(items))))
        else:
            Session.commit()
    return {"trained_on": len(texts), "items": len(items), "suggestions": stored,
            "model_version": assistant.version}


@job("analysis.assist", label=_l("Suggest themes for uncoded items"))
def assisted_coding(ctx, consultation_id: int, seed: int = 0) -> dict:
    try:
        # ctx.progress commits the suggestions stored so far with the progress.
        return assist(consultation_id, seed=seed,
                      progress=lambda done, total, message: ctx.checkpoint(
                          done=done, total=total, message=message))
    except OperationRefused as error:
        Session.rollback()
        raise JobFailed(str(error)) from None
