"""CPU time per request, in one process: the WSGI app called directly, no server, no client.

    .venv/bin/python -m bench.request_cost                    # every kind, 3 rounds of 300
    .venv/bin/python -m bench.request_cost --only thread --profile thread
    .venv/bin/python -m bench.request_cost --instance /tmp/kinst-cost   # reuse a seeded instance

Wall-clock rates on this shared 2-core machine swing with whatever else runs; the CPU time the
process spends per request (`time.process_time()`, SQLite included since it runs in-process)
does not, so this is the figure to compare before and after a change to the per-request path.
Each kind is measured over ROUNDS rounds of N requests, interleaved, and the best and median
round are printed (the best is the least disturbed by other processes' cache and scheduler
noise). The environs are built before the clock starts; only `app(environ, start_response)` and
reading the body are timed.

Kinds (all on a seeded demo instance, rate limits as --ratelimit says, like the HTTP benchmarks
with RATELIMIT_ENABLED=0 by default):

- hello: bench/hello.py's bare Flask endpoint, the yardstick;
- healthz: Kōrero's /healthz, anonymous (`SELECT 1`);
- healthz_signed_in: the same with a signed-in participant's cookie: the core's signed-in floor;
- page_signed_in: the accessibility statement for a signed-in participant: the floor plus the
  layout (navigation, language switcher, footer);
- thread: the 50-post forum thread page, signed in as participant2 (bench/forum.py's page);
- book: the workshop booking POST (CSRF checked), one new person per request (bench/workshops.py);
- intake: the public submission POST with its CSRF token and a fresh idempotency key, from an
  anonymous session (bench/intake.py's POST).
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from werkzeug.test import EnvironBuilder

from bench.run import machine, prepare_instance

KINDS = ("hello", "healthz", "healthz_signed_in", "page_signed_in", "thread", "book", "intake")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Client:
    """Calls a WSGI app directly, keeping one browser's cookies from Set-Cookie headers."""

    def __init__(self, app, cookie: str = ""):
        self.app = app
        self.jar = dict(part.split("=", 1) for part in cookie.split("; ") if "=" in part)

    @property
    def cookie(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.jar.items())

    def environ(self, method: str, path: str, data: dict | None = None) -> dict:
        headers = {"Cookie": self.cookie} if self.jar else {}
        builder = EnvironBuilder(path=path, method=method, headers=headers, data=data,
                                 base_url="http://127.0.0.1:5000")
        try:
            return builder.get_environ()
        finally:
            builder.close()

    def call(self, environ: dict) -> tuple[int, dict, bytes]:
        status, headers, body = call(self.app, environ)
        for name, value in headers:
            if name.lower() == "set-cookie":
                key, _, rest = value.split(";", 1)[0].partition("=")
                self.jar[key] = rest
        return status, dict(headers), body

    def get(self, path: str) -> tuple[int, dict, bytes]:
        return self.call(self.environ("GET", path))


def call(app, environ: dict) -> tuple[int, list, bytes]:
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = int(status.split(" ", 1)[0]), headers

    iterable = app(environ, start_response)
    try:
        body = b"".join(iterable)
    finally:
        if hasattr(iterable, "close"):
            iterable.close()
    return answer["status"], answer["headers"], body


# ---------------------------------------------------------------- the data

def make_thread(app) -> int:
    """The 50-post thread bench/forum.py makes (its MAKE_THREAD, as a function)."""
    from sqlalchemy import select

    from app.db import Session
    from app.models import User
    from forums import operations
    from forums.models import ForumSpace

    with app.app_context():
        author = Session.scalar(select(User).where(User.email.like("participant@%")))
        other = Session.scalar(select(User).where(User.email.like("analyst@%")))
        space = Session.scalar(select(ForumSpace).where(ForumSpace.kind == "open"))
        thread = operations.create_thread(other, space, title="Benchmark thread",
                                          body="The **opening** post of a long thread.")
        for n in range(49):
            operations.reply(author if n % 2 else other, thread,
                             body=f"Reply {n}: whānau data, *consent* and "
                                  "[a link](https://example.org).")
        Session.commit()
        return thread.id


def make_workshop(app, people: int) -> tuple[int, list[str]]:
    """A published workshop with room for everyone, and PEOPLE participants' session cookies."""
    from datetime import timedelta

    from app.db import Session, utcnow
    from app.models import User, UserRole
    from app.queries import get_current_consultation
    from workshops.models import Workshop

    with app.app_context():
        start = utcnow() + timedelta(days=5)
        workshop = Workshop(consultation_id=get_current_consultation().id,
                            title="Cost hui", format="online",
                            meeting_link="https://meet.example.test/cost", starts_at=start,
                            ends_at=start + timedelta(hours=2), capacity=people + 10,
                            booking_deadline_at=start - timedelta(hours=1), status="published")
        tag = uuid.uuid4().hex[:8]
        users = [User(email=f"cost{tag}{n}@bench.example.test", display_name=f"Cost {n}",
                      role_rows=[UserRole(role="participant")]) for n in range(people)]
        Session.add(workshop)
        Session.add_all(users)
        Session.commit()
        return workshop.id, [signed_in_cookie(app, user) for user in users]


def signed_in_cookie(app, user) -> str:
    """A session cookie as signing in makes it (bench/workshops.py does the same)."""
    signer = app.session_interface.get_signing_serializer(app)
    now = time.time()
    value = signer.dumps({"_user_id": f"{user.id}:{user.session_version}", "_fresh": True,
                          "last_active": now, "signed_in_at": now, "_permanent": True})
    return f"{app.config['SESSION_COOKIE_NAME']}={value}"


def cookie_of(app, email_prefix: str) -> str:
    from sqlalchemy import select

    from app.db import Session
    from app.models import User

    with app.app_context():
        user = Session.scalar(select(User).where(User.email.like(f"{email_prefix}@%")))
        return signed_in_cookie(app, user)


def demo_form_id(app) -> int:
    from sqlalchemy import select

    from app.db import Session
    from submissions.demo import DEMO_FORM_TITLE
    from submissions.models import SubmissionForm

    with app.app_context():
        return Session.scalar(select(SubmissionForm.id).where(
            SubmissionForm.title == DEMO_FORM_TITLE))


INTAKE_BODY = {"guest_name": "Mere Tūhoe", "guest_email": "mere@example.org",
               "answer-q2": ("Health records should never be collected by agencies. People "
                             "stop trusting services when they feel watched."),
               "answer-q3": "Being asked first, every time, in plain words.",
               "answer-q7": "agree", "answer-q8": "no", "answer-q9": "Data held in New Zealand",
               "consent-analysis": "yes", "consent-quote": "anonymous",
               "consent-publish": "public"}


# ---------------------------------------------------------------- the requests


class Kinds:
    """For each kind: `prepare(count)` builds COUNT environs (untimed) and `expect` is the
    status every answer must have."""

    def __init__(self, app, hello_app, count: int, rounds: int, warmup: int):
        self.app, self.hello = app, hello_app
        participant = Client(app, cookie_of(app, "participant"))
        reader = Client(app, cookie_of(app, "participant2"))
        self.thread_id = make_thread(app)
        self.thread_path = f"/forums/threads/{self.thread_id}"
        for client in (participant, reader):  # the first read writes the read marker
            client.get(self.thread_path)
            client.get("/healthz")
        self.participant, self.reader = participant, reader
        self.workshop_id, self.booking_cookies = make_workshop(
            app, count * rounds + warmup + 5)
        self.form_id = demo_form_id(app)
        self.guest = Client(app)
        status, _headers, body = self.guest.get(f"/submissions/forms/{self.form_id}/submit")
        assert status == 200, status
        self.guest_token = CSRF.search(body.decode()).group(1)

    def target(self, kind: str):
        return self.hello if kind == "hello" else self.app

    def expect(self, kind: str) -> int:
        return {"book": 302, "intake": 303}.get(kind, 200)

    def prepare(self, kind: str, count: int) -> list[dict]:
        if kind == "hello":
            return [Client(self.hello).environ("GET", "/") for _ in range(count)]
        if kind == "healthz":
            return [Client(self.app).environ("GET", "/healthz") for _ in range(count)]
        if kind == "healthz_signed_in":
            return [self.participant.environ("GET", "/healthz") for _ in range(count)]
        if kind == "page_signed_in":
            return [self.participant.environ("GET", "/accessibility") for _ in range(count)]
        if kind == "thread":
            return [self.reader.environ("GET", self.thread_path) for _ in range(count)]
        if kind == "book":
            return [self._booking(self.booking_cookies.pop()) for _ in range(count)]
        if kind == "intake":
            path = f"/submissions/forms/{self.form_id}/submit"
            return [self.guest.environ("POST", path, {
                "csrf_token": self.guest_token, "idempotency_key": uuid.uuid4().hex,
                **INTAKE_BODY}) for _ in range(count)]
        raise ValueError(kind)

    def _booking(self, cookie: str) -> dict:
        """GET the booking form (untimed), as the person's browser would, for the token."""
        client = Client(self.app, cookie)
        path = f"/workshops/{self.workshop_id}/book"
        status, _headers, body = client.get(path)
        assert status == 200, status
        token = CSRF.search(body.decode()).group(1)
        return client.environ("POST", path, {"csrf_token": token})


def run_round(app, environs: list[dict], expect: int) -> tuple[float, float]:
    """CPU and wall-clock milliseconds per request over ENVIRONS. The wall clock includes
    waiting for the disk (fsync), which CPU time does not, and other processes' turns."""
    started, began = time.process_time(), time.perf_counter()
    for environ in environs:
        status, _headers, _body = call(app, environ)
        if status != expect:
            raise RuntimeError(f"{environ['PATH_INFO']} answered {status}, not {expect}")
    return ((time.process_time() - started) * 1000 / len(environs),
            (time.perf_counter() - began) * 1000 / len(environs))


def profile(app, environs: list[dict], expect: int, top: int, wall: bool = False) -> str:
    """cProfile of one round, timed by CPU time (as the figures are) unless WALL."""
    profiler = cProfile.Profile(time.perf_counter if wall else time.process_time)
    profiler.enable()
    run_round(app, environs, expect)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


def calls_per_request(app, environs: list[dict], expect: int) -> float:
    """Python function calls per request (cProfile's count): exact and the same however busy
    the machine is, so a change that removes work shows even when CPU times are noisy. It
    does not see work done in C (SQLite, hashing), which the CPU time does."""
    profiler = cProfile.Profile()
    profiler.enable()
    run_round(app, environs, expect)
    profiler.disable()
    return pstats.Stats(profiler).total_calls / len(environs)


def build_apps(instance: Path, ratelimit: bool):
    if not (instance / "korero.sqlite3").exists():
        print(f"seeding a demo instance in {instance} ...", file=sys.stderr)
        env = prepare_instance(instance)
    else:
        env = {"KORERO_INSTANCE_PATH": str(instance), "KORERO_ENV": "development",
               "LOG_LEVEL": "WARNING"}
    env["RATELIMIT_ENABLED"] = "1" if ratelimit else "0"
    for name in ("KORERO_INSTANCE_PATH", "KORERO_ENV", "LOG_LEVEL", "RATELIMIT_ENABLED"):
        os.environ[name] = env[name]
    for name in ("DATABASE_URL", "REDIS_URL"):
        os.environ.pop(name, None)
    from app import create_app
    from bench.hello import create_app as create_hello

    return create_app(), create_hello()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="requests per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--only", nargs="*", choices=KINDS, default=list(KINDS))
    parser.add_argument("--profile", choices=KINDS, help="print a cProfile of one round")
    parser.add_argument("--top", type=int, default=40, help="lines of the profile")
    parser.add_argument("--profile-wall", action="store_true",
                        help="time the profile by the wall clock (shows waits for the disk)")
    parser.add_argument("--calls", action="store_true",
                        help="also count Python function calls per request (load-free)")
    parser.add_argument("--ratelimit", action="store_true",
                        help="rate limits on (the HTTP benchmarks run with them off)")
    parser.add_argument("--instance", type=Path,
                        help="a seeded instance folder to reuse (seeded when empty)")
    args = parser.parse_args(argv)
    instance = args.instance or Path(tempfile.mkdtemp(prefix="korero-cost-"))
    app, hello = build_apps(instance, args.ratelimit)
    kinds = Kinds(app, hello, args.requests,
                  args.rounds + (1 if args.profile else 0) + (1 if args.calls else 0),
                  args.warmup)
    load_before = machine()["load"]
    for kind in args.only:
        run_round(kinds.target(kind), kinds.prepare(kind, args.warmup), kinds.expect(kind))
    rounds: dict[str, list[tuple[float, float]]] = {kind: [] for kind in args.only}
    for _ in range(args.rounds):
        for kind in args.only:
            environs = kinds.prepare(kind, args.requests)
            rounds[kind].append(run_round(kinds.target(kind), environs, kinds.expect(kind)))
    print(f"# CPU ms per request ({args.rounds} rounds of {args.requests}; load average "
          f"{load_before} before, {machine()['load']} after; rate limits "
          f"{'on' if args.ratelimit else 'off'})")
    print(f"{'kind':<20} {'CPU best':>9} {'median':>7} {'wall median':>12}  CPU per round")
    for kind, values in rounds.items():
        cpu = [value[0] for value in values]
        wall = statistics.median(value[1] for value in values)
        print(f"{kind:<20} {min(cpu):9.3f} {statistics.median(cpu):7.3f} {wall:12.3f}  "
              + " ".join(f"{value:.3f}" for value in cpu))
    if args.calls:
        print(f"\n{'kind':<20} {'Python calls per request':>25}")
        for kind in args.only:
            environs = kinds.prepare(kind, args.requests)
            calls = calls_per_request(kinds.target(kind), environs, kinds.expect(kind))
            print(f"{kind:<20} {calls:25.0f}")
    if args.profile:
        environs = kinds.prepare(args.profile, args.requests)
        print(profile(kinds.target(args.profile), environs, kinds.expect(args.profile),
                      args.top, args.profile_wall))
    return 0


if __name__ == "__main__":
    sys.exit(main())
