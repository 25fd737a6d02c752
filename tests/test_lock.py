"""requirements/check_lock.py: CI's proof that the lock pins every installed distribution at
the version installed."""
from __future__ import annotations

import importlib.util
from importlib.metadata import distributions

from app.config import PROJECT_ROOT

spec = importlib.util.spec_from_file_location("check_lock",
                                              PROJECT_ROOT / "requirements" / "check_lock.py")
check_lock = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_lock)


def _environment() -> dict[str, str]:
    return {check_lock.normalise(d.metadata["Name"]): d.version for d in distributions()
            if check_lock.normalise(d.metadata["Name"]) != "korero"}


def _write_lock(path, pins: dict[str, str]):
    path.write_text("# made by a test\n" + "".join(
        f"{name}=={version}\n    # via something\n" for name, version in pins.items()))
    return path


def test_a_lock_of_exactly_what_is_installed_passes(tmp_path):
    lock = _write_lock(tmp_path / "lock.txt", _environment())
    assert check_lock.problems(lock, "korero") == []


def test_an_unpinned_or_differently_pinned_distribution_fails(tmp_path):
    pins = _environment()
    flask_version = pins.pop("flask")
    pins["sqlalchemy"] = "1.0.0"
    pins["not-installed-here"] = "1.0"  # pins for other platforms or extras are fine
    lock = _write_lock(tmp_path / "lock.txt", pins)
    assert check_lock.problems(lock, "korero") == [
        f"flask {flask_version} is installed but not pinned in {lock}",
        f"sqlalchemy is installed at {_environment()['sqlalchemy']} but pinned at 1.0.0",
    ]
