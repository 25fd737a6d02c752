"""Browser tests' accessibility check: axe over the page as it stands, after it has loaded."""
from __future__ import annotations


def no_violations(axe, page) -> None:
    """Fail on any axe violation. Waits for the page's load event first: right after a click
    that navigates, the new document may not exist yet, and axe would read an empty page."""
    page.wait_for_load_state("load")
    violations = axe.run(page).response["violations"]
    assert violations == [], [(v["id"], v["help"], [n["target"] for n in v["nodes"][:3]])
                              for v in violations]
