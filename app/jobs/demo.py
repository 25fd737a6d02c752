"""The demo job: N short sleeps with progress and a checkpoint after each, so an operator can
see the worker, the progress bar and resuming after a restart work (`jobs demo`, or the
button on /jobs/ for admins)."""
from __future__ import annotations

import logging
import time

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.jobs.registry import job

log = logging.getLogger("korero.jobs")

MAX_STEPS = 10_000


@job("demo", label=_l("Demo job"))
def demo_job(ctx, steps: int = 20, seconds: float = 0.2) -> dict:
    """Step i sleeps, then checkpoints {"next_step": i + 1, "completed": [...]}: after a
    restart the job goes on from next_step, so no completed step is done again."""
    steps = max(1, min(int(steps), MAX_STEPS))
    start = int(ctx.state.get("next_step", 0))
    completed = list(ctx.state.get("completed", []))
    for step in range(start, steps):
        log.info("demo job %s: step %s started", ctx.job.id, step)
        time.sleep(float(seconds))
        completed.append(step)
        ctx.checkpoint({"next_step": step + 1, "completed": completed}, done=step + 1,
                       total=steps, message=_("Step %(n)s of %(total)s done.", n=step + 1,
                                                   total=steps))
    return {"steps": steps, "resumed_from": start if ctx.is_resumed else None,
            "attempts": ctx.job.attempts}
