"""One date format and one page heading block everywhere: checked over the templates, so a
new page that drifts fails here rather than in a reviewer's eye."""
from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from app.seed import demo_consultation_times
from app.web.dates import to_local

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
# The audit log keeps its own precise format (its owner decides); the feature packages' pages
# (forum, workshops, submissions) and job pages keep their own heading layout for now, with
# their error summaries inside their forms; emails are not pages.
DATES_EXEMPT = {"privacy/audit_log.html"}
HEADINGS_EXEMPT_DIRS = ("forums/", "workshops/", "submissions/", "jobs/", "emails/")
HEADINGS_EXEMPT = {"privacy/audit_log.html", "_macros/page.html"}


def _templates():
    for path in sorted(TEMPLATES.rglob("*.html")):
        yield path.relative_to(TEMPLATES).as_posix(), path.read_text(encoding="utf-8")


def test_people_see_one_date_format():
    """Times go through the time_tag macro or the |human_datetime / |human_date filters
    (app/web/dates.py): "5pm, 9 January 2027"."""
    offenders = [name for name, text in _templates()
                 if name not in DATES_EXEMPT
                 and re.search(r"format_datetime\(|strftime|\.isoformat\(\)", text)]
    assert not offenders, f"dates formatted another way in: {offenders}"


def test_every_page_heading_comes_from_the_page_header_macro():
    offenders = [name for name, text in _templates()
                 if name not in HEADINGS_EXEMPT and not name.startswith(HEADINGS_EXEMPT_DIRS)
                 and "<h1" in text]
    assert not offenders, f"an <h1> written by hand (use page_header) in: {offenders}"


def test_form_pages_show_their_error_summary_through_the_page_header():
    """Every page whose form can come back with errors names it in page_header(form=...) (the
    summary then sits above the heading), except two-factor set-up, which keeps it in step 2."""
    offenders = []
    for name, text in _templates():
        if name.startswith(HEADINGS_EXEMPT_DIRS) or name.startswith("_macros/"):
            continue
        if "form.csrf_token" in text and "form=form" not in text \
                and name != "auth/two_factor_setup.html":
            offenders.append(name)
    assert not offenders, f"a form page without its error summary at the top: {offenders}"


def test_the_demo_consultation_opens_and_closes_on_the_hour():
    now = datetime(2027, 1, 9, 3, 17, 42, tzinfo=UTC)  # 4:17pm in Auckland (NZDT)
    opens_at, closes_at = demo_consultation_times(now)
    local_open, local_close = to_local(opens_at), to_local(closes_at)
    assert (local_open.hour, local_open.minute, local_open.second) == (9, 0, 0)
    assert (local_close.hour, local_close.minute, local_close.second) == (17, 0, 0)
    assert opens_at < now < closes_at
    assert local_open.date().isoformat() == "2027-01-08"
    assert local_close.date().isoformat() == "2027-02-20"
