"""A built wheel carries everything the app reads from disk (templates, static files, Alembic's
migrations and script template), and an app imported from the installed wheel finds them."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from app.config import PROJECT_ROOT

# Never copied into the build: the build must not depend on (or write into) the checkout.
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "instance", "build", "dist", "*.egg-info",
                                    "__pycache__", ".pytest_cache", "node_modules")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """Build the wheel from a copy of the source tree with the venv's setuptools (pinned in
    the lock), so it needs no network and leaves nothing behind in the checkout."""
    work = tmp_path_factory.mktemp("packaging")
    source = work / "source"
    shutil.copytree(PROJECT_ROOT, source, ignore=NOT_SOURCE)
    result = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(work / "dist"),
         str(source)], check=False, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    # setuptools frames each deprecation (a licence table, a missing setting) in "!!" lines.
    assert "Warning:" not in result.stderr and "!!" not in result.stderr, result.stderr
    [built] = (work / "dist").glob("korero-*.whl")
    return built


def _source_files(folder: str) -> set[str]:
    root = PROJECT_ROOT / folder
    return {path.relative_to(PROJECT_ROOT).as_posix() for path in root.rglob("*")
            if path.is_file() and "__pycache__" not in path.parts}


def test_the_wheel_holds_templates_static_files_and_migrations(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in ("templates/base.html", "templates/emails/password_reset.txt",
                     "app/static/css/korero.css", "app/migrations/env.py",
                     "app/migrations/script.py.mako",
                     "app/migrations/versions/0001_core_platform.py"):
        assert expected in names, expected
    # Every file, so a new kind (an .svg, a .woff2) cannot be left out unnoticed.
    missing = (_source_files("templates") | _source_files("app/static")) - names
    assert not missing, f"not in the wheel (add their suffix to package-data): {sorted(missing)}"
    assert not any(name.startswith(("tests/", "bench/")) for name in names)


def test_the_wheel_declares_an_spdx_licence(wheel):
    with zipfile.ZipFile(wheel) as archive:
        [metadata] = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        text = archive.read(metadata).decode()
    assert "License-Expression: MIT" in text


def test_an_app_from_the_installed_wheel_finds_its_templates_and_migrations(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--no-index", "--target", str(target), str(wheel)], check=True)
    probe = """
import app, jinja2
from pathlib import Path
from app import create_app
from app.config import TestConfig
from app.migrate import upgrade
url = "sqlite:///" + str(Path.cwd() / "probe.sqlite3")
upgrade(url)
flask_app = create_app(TestConfig(url))
print(app.__file__)
print(flask_app.jinja_env.get_template("base.html").filename)
print(Path(flask_app.static_folder, "css", "korero.css").is_file())
"""
    env = {**os.environ, "PYTHONPATH": str(target), "KORERO_INSTANCE_PATH": str(tmp_path / "i"),
           "SECRET_KEY": "packaging-test"}
    env.pop("TEST_DATABASE_URL", None)
    result = subprocess.run([sys.executable, "-c", probe], check=False, cwd=tmp_path, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    module, template, has_css = result.stdout.split()
    assert module.startswith(str(target)) and template.startswith(str(target))
    assert has_css == "True"
