"""Audit the pinned dependencies for known vulnerabilities with pip-audit, and say plainly when
they could not be audited at all.

    .venv/bin/python requirements/audit_deps.py requirements/constraints.txt [pip-audit flags]

Exit 1 when pip-audit reports a vulnerable pin. pip-audit's PyPI service asks
https://pypi.org/pypi/NAME/VERSION/json for each pin; where that answers 404 (a registry mirror
that serves only /pypi/NAME/json, as on the Kōrero build machines) or cannot be reached, every
pin is skipped: pip-audit itself would then print "No known vulnerabilities found" and exit 0.
This script reports those pins as NOT AUDITED instead, and fails on them when
KORERO_REQUIRE_AUDIT=1.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys


def main() -> int:
    lock, extra = (sys.argv[1] if len(sys.argv) > 1 else "requirements/constraints.txt"), sys.argv[2:]
    # --no-deps --disable-pip: every pin is exact, so pip-audit resolves nothing and installs
    # nothing; it only asks the vulnerability service about each NAME==VERSION.
    command = [sys.executable, "-m", "pip_audit", "--requirement", lock, "--no-deps",
               "--disable-pip", "--vulnerability-service", "pypi", "--progress-spinner", "off",
               "--format", "json", *extra]
    result = subprocess.run(command, capture_output=True, text=True)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print(result.stderr, file=sys.stderr)
        return _not_audited(["every pin"], "pip-audit did not produce a report")
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if "skip_reason" in d]
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed release yet"
            print(f"VULNERABLE {dep['name']}=={dep['version']}: {vuln['id']} "
                  f"(fixed in: {fixed})", file=sys.stderr)
    audited = len(dependencies) - len(skipped)
    print(f"pip-audit: {audited} of {len(dependencies)} pins in {lock} audited, "
          f"{len(vulnerable)} vulnerable.")
    if vulnerable:
        print("Upgrade them: `make lock-upgrade` (or raise the pin in pyproject.toml and run "
              "`make lock`).", file=sys.stderr)
        return 1
    if skipped:
        return _not_audited([d["name"] for d in skipped], skipped[0]["skip_reason"])
    return 0


def _not_audited(names: list[str], reason: str) -> int:
    print(f"NOT AUDITED: {len(names)} pins ({', '.join(names[:8])}{' ...' if len(names) > 8 else ''})"
          f" could not be checked for known vulnerabilities. First reason: {reason}.\n"
          "pip-audit needs https://pypi.org/pypi/NAME/VERSION/json (or OSV, api.osv.dev) to answer; "
          "this machine's registry access does not serve it.", file=sys.stderr)
    return 1 if os.environ.get("KORERO_REQUIRE_AUDIT") == "1" else 0


if __name__ == "__main__":
    sys.exit(main())
