"""The deadline-day load: wrk with a Lua script that holds a real session and CSRF token per
thread and posts the demo form with a fresh idempotency key, and the checks afterwards that
every acknowledged submission is stored. Used by bench/intake.py (which starts the servers and
writes the results).
"""
from __future__ import annotations

import http.client
import re
import subprocess
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

BODY = {"guest_name": "Mere Tūhoe", "guest_email": "mere@example.org",
        "answer-q2": ("Health records should never be collected by agencies. People stop "
                      "trusting services when they feel watched."),
        "answer-q3": "Being asked first, every time, in plain words.",
        "answer-q7": "agree", "answer-q8": "no", "answer-q9": "Data held in New Zealand",
        "consent-analysis": "yes", "consent-quote": "anonymous", "consent-publish": "public"}
LUA = r"""
sessions = {SESSIONS}
local counter, threads = 0, {}
function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  s = sessions[(tid - 1) % #sessions + 1]
  out = io.open("{OUT}/acks-" .. tid .. ".txt", "w")
  refused = io.open("{OUT}/refused-" .. tid .. ".txt", "w")
  phase = 0
end
function request()
  if {WITH_GET} and phase == 0 then
    phase = 1
    return wrk.format("GET", "{FORM_PATH}", {["Cookie"] = s.cookie})
  end
  phase = 0
  counter = counter + 1
  local body = "csrf_token=" .. s.token .. "&idempotency_key={RUN}" .. tid .. "x" .. counter
               .. "&{BODY}"
  return wrk.format("POST", "{POST_PATH}", {["Cookie"] = s.cookie,
    ["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
function response(status, headers, body)
  if status == 303 then out:write(headers["Location"] or headers["location"], "\n")
  elseif status >= 400 then refused:write(status, " ", os.time(), "\n") end
end
"""


@dataclass
class Phase:
    name: str
    accepted: int
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float
    stored: int | None = None
    # Each refusal's status, and the seconds of the run (from its first) in which they came.
    refused: dict[int, int] = field(default_factory=dict)
    refused_at: list[int] = field(default_factory=list)

    @property
    def refusals(self) -> str:
        """What the errors were, for the benchmark's printout."""
        if not self.refused:
            return ""
        kinds = ", ".join(f"{count} x {status}" for status, count in sorted(self.refused.items()))
        seconds = sorted(set(self.refused_at))
        return f" (refused: {kinds}, in seconds {seconds[0]}-{seconds[-1]} of the run)"

    @property
    def rate(self) -> float:
        return self.accepted / self.seconds if self.seconds else 0.0


def _wrk_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def get_session(port: int, path: str) -> dict:
    """A real session: the form page's cookie and CSRF token."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path)
    response = conn.getresponse()
    html = response.read().decode()
    cookie = (response.getheader("Set-Cookie") or "").split(";", 1)[0]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    return {"cookie": cookie, "token": token.group(1) if token else ""}


def run_wrk(port: int, *, form_path: str, post_path: str, sessions: list[dict], seconds: float,
            connections: int, with_get: bool, out: Path, run: str) -> tuple[Phase, list[str]]:
    out.mkdir(parents=True, exist_ok=True)
    lua = (LUA.replace("{SESSIONS}", "{" + ",".join(
        f'{{cookie="{s["cookie"]}", token="{s["token"]}"}}' for s in sessions) + "}")
        .replace("{OUT}", str(out)).replace("{WITH_GET}", "true" if with_get else "false")
        .replace("{FORM_PATH}", form_path).replace("{POST_PATH}", post_path)
        .replace("{RUN}", run).replace("{BODY}", urlencode(BODY)))
    script = out / "intake.lua"
    script.write_text(lua)
    started = int(time.time())
    result = subprocess.run(["wrk", "--latency", "-t", "2", "-c", str(connections), "-d",
                             f"{int(seconds)}s", "-s", str(script), f"http://127.0.0.1:{port}/"],
                            capture_output=True, text=True, check=False)
    text = result.stdout  # a failed run shows as zero requests, not as an exception
    acks = [line.strip() for f in out.glob("acks-*.txt") for line in f.read_text().splitlines()
            if line.strip()]
    requests = int(re.search(r"(\d+) requests in", text).group(1)) if "requests in" in text else 0
    elapsed = (_wrk_ms(re.search(r"requests in ([\d.]+(?:us|ms|s|m))", text).group(1)) / 1000
               if "requests in" in text else seconds)
    p50 = re.search(r"50%\s+([\d.]+(?:us|ms|s))", text)
    p99 = re.search(r"99%\s+([\d.]+(?:us|ms|s))", text)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                     text)
    errors = (int(bad.group(1)) if bad else 0) + (sum(map(int, sock.groups())) if sock else 0)
    phase = Phase("", len(acks), requests, errors, elapsed,
                  _wrk_ms(p50.group(1)) if p50 else float("nan"),
                  _wrk_ms(p99.group(1)) if p99 else float("nan"))
    _note_refusals(phase, out, started)
    return phase, acks


def _note_refusals(phase: Phase, out: Path, started: int) -> None:
    lines = [line.split() for f in out.glob("refused-*.txt") for line in f.read_text().splitlines()
             if line.strip()]
    phase.refused = dict(Counter(int(status) for status, _at in lines))
    phase.refused_at = [int(at) - started for _status, at in lines]


def count_stored(db: str, table: str, ids: list[int], *, recorded: bool = False) -> int:
    """How many of IDS are in TABLE (and recorded by the sweeper) of DB, a SQLite file or a
    database URL."""
    from sqlalchemy import create_engine, text

    engine = create_engine(db if "://" in db else f"sqlite:///{db}")
    found = 0
    extra = " AND recorded_at IS NOT NULL" if recorded else ""
    with engine.connect() as connection:
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            found += connection.execute(text(
                f"SELECT count(*) FROM {table} WHERE id IN ({','.join(map(str, chunk))}){extra}"
            )).scalar()
    engine.dispose()
    return found


def ids_of(acks: list[str]) -> list[int]:
    return sorted({int(a.rstrip("/").rsplit("/", 1)[1]) for a in acks})
