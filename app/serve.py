"""`make run`: the web server and the job worker together, started and stopped as one.

    python -m app.serve WEB-COMMAND...

runs WEB-COMMAND (gunicorn ...) and `flask --app app jobs worker` side by side. Ctrl-C or
SIGTERM stops both; if either exits, the other is stopped too, and this exits with the status
of the one that stopped first (so a supervisor notices and restarts the pair).
"""
from __future__ import annotations

import signal
import subprocess
import sys
import time

WORKER = [sys.executable, "-m", "flask", "--app", "app", "jobs", "worker"]
STOP_SECONDS = 20  # then SIGKILL: an interrupted job resumes from its checkpoint anyway


def _stop_all(processes: list[subprocess.Popen], sig: int) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(sig)
    deadline = time.monotonic() + STOP_SECONDS
    for process in processes:
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m app.serve WEB-COMMAND [ARGS...]", file=sys.stderr)
        return 2
    received: list[int] = []

    def _on_signal(signum, _frame):
        received.append(signum)

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    # The children get their own process groups, so a Ctrl-C reaches them only through us,
    # once each, as SIGTERM (gunicorn: graceful stop; worker: stop, jobs resume later).
    web = subprocess.Popen(argv, start_new_session=True)
    worker = subprocess.Popen(WORKER, start_new_session=True)
    processes = [web, worker]
    print(f"serve: web server pid {web.pid}, job worker pid {worker.pid}", flush=True)
    try:
        while not received:
            ended = [p for p in processes if p.poll() is not None]
            if ended:
                name = "web server" if ended[0] is web else "job worker"
                print(f"serve: the {name} exited ({ended[0].returncode}); stopping the other",
                      file=sys.stderr, flush=True)
                _stop_all(processes, signal.SIGTERM)
                return ended[0].returncode or 1
            time.sleep(0.2)
    finally:
        if received:
            print("serve: stopping the web server and the job worker", flush=True)
            _stop_all(processes, signal.SIGTERM)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
