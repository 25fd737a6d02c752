"""Fail when this virtualenv holds a distribution the lock file does not pin, or holds it at
another version than the lock says: the lock must describe the environment the tests ran in.

    .venv/bin/python requirements/check_lock.py requirements/constraints.txt

Installing with `pip install -c LOCK` only pins what the lock lists (a package missing from it
installs at its newest version, silently), so CI runs this after `make install-dev`.
"""
from __future__ import annotations

import re
import sys
import tomllib
from importlib.metadata import distributions
from pathlib import Path

from packaging.version import Version

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)")


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_pins(lock: Path) -> dict[str, str]:
    pins = {}
    for line in lock.read_text().splitlines():
        match = PIN.match(line.strip())
        if match:
            pins[normalise(match[1])] = match[2]
    return pins


def problems(lock: Path, project: str) -> list[str]:
    pins = read_pins(lock)
    found = []
    for dist in distributions():
        name = normalise(dist.metadata["Name"])
        if name == project:  # the project itself, installed editable from this checkout
            continue
        if name not in pins:
            found.append(f"{name} {dist.version} is installed but not pinned in {lock}")
        elif Version(pins[name]) != Version(dist.version):
            found.append(f"{name} is installed at {dist.version} but pinned at {pins[name]}")
    return sorted(set(found))


def main() -> int:
    lock = Path(sys.argv[1] if len(sys.argv) > 1 else "requirements/constraints.txt")
    if not lock.exists():
        print(f"{lock} does not exist: run `make lock` to create it.", file=sys.stderr)
        return 1
    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    project = normalise(tomllib.loads(pyproject.read_text())["project"]["name"])
    found = problems(lock, project)
    for problem in found:
        print(problem, file=sys.stderr)
    if found:
        print(f"The lock does not match the environment: run `make lock` and commit {lock}.",
              file=sys.stderr)
        return 1
    print(f"Every installed distribution is pinned in {lock} at the version installed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
