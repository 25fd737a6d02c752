"""The job worker runs at a lower OS priority than the web server: web requests first,
background work after.

On deadline day the web workers and the job worker share the same few cores. The worker's
jobs (recording submissions as FeedbackItems, screening them, a PDF receipt for each, campaign
detection) cost more CPU per submission than taking the submission does, and nothing about
them is urgent, while every millisecond they take from the web workers is a submission not
taken. At JOBS_WORKER_NICE (default 10) the kernel gives the worker about a tenth of a core
while the web workers are busy and all of it when they are not, so the backlog builds up
during a peak and is worked off after it; nothing is lost, as a submission is stored before
it is acknowledged and stays "not recorded" until a job records it.

Linux keeps a niceness per thread, and a new thread starts with its creator's: so this runs
in the worker's main thread before the consumer starts its threads, and lowers the threads
already running too (those create_app() started, such as the rate limiter's timer).
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger("korero.jobs")
MAX_NICENESS = 19


def lower_worker_priority(niceness: int) -> int:
    """Run this thread (and the threads it starts from now on) at NICENESS, or leave it as
    it is when it is already at that niceness or lower in priority (0 or less: unchanged).
    Only ever lowers the priority, which needs no privilege. Returns the niceness now."""
    if not hasattr(os, "getpriority"):  # not on this platform: nothing to lower
        return 0
    current = os.getpriority(os.PRIO_PROCESS, 0)
    wanted = min(MAX_NICENESS, int(niceness))
    if wanted <= current:
        return current
    try:
        for thread_id in _threads():
            if os.getpriority(os.PRIO_PROCESS, thread_id) < wanted:
                os.setpriority(os.PRIO_PROCESS, thread_id, wanted)
    except OSError as error:  # a sandbox may refuse even this: run as we are
        log.warning("could not lower the job worker's priority to %s: %s", wanted, error)
        return os.getpriority(os.PRIO_PROCESS, 0)
    return wanted


def _threads() -> list[int]:
    """This process's threads (0: this thread, where /proc does not list them)."""
    tasks = Path("/proc/self/task")
    return [int(name) for name in os.listdir(tasks)] if tasks.is_dir() else [0]
