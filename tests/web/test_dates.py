"""app.web.dates: UTC storage, New Zealand display, one human format, ISO 8601 for exports,
and the daylight-saving edges of reading a local time typed into a form."""
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.web import dates
from app.web.dates import (
    NonexistentLocalTime,
    as_utc,
    exists_locally,
    format_human,
    format_human_date,
    format_iso,
    is_ambiguous,
    local_day_start,
    local_to_utc,
    utc_to_local_naive,
)

NZ = ZoneInfo("Pacific/Auckland")


@pytest.fixture(autouse=True)
def _in_app(app):
    with app.test_request_context("/"):
        yield


def test_the_site_zone_comes_from_the_configuration(app, monkeypatch):
    assert dates.site_timezone() == NZ
    monkeypatch.setitem(app.config, "BABEL_DEFAULT_TIMEZONE", "Pacific/Chatham")
    assert dates.site_timezone() == ZoneInfo("Pacific/Chatham")


@pytest.mark.parametrize("moment, expected", [
    (datetime(2027, 1, 9, 4, 0, tzinfo=UTC), "5pm, 9 January 2027"),  # NZDT, +13
    (datetime(2027, 1, 9, 4, 30, 59, tzinfo=UTC), "5:30pm, 9 January 2027"),  # no seconds
    (datetime(2027, 7, 9, 5, 0, tzinfo=UTC), "5pm, 9 July 2027"),  # NZST, +12
    (datetime(2027, 1, 8, 23, 0, tzinfo=UTC), "12pm, 9 January 2027"),
    (datetime(2027, 1, 8, 11, 5, tzinfo=UTC), "12:05am, 9 January 2027"),
    (datetime(2027, 1, 8, 20, 0, tzinfo=UTC), "9am, 9 January 2027"),  # the next day in NZ
])
def test_one_human_format_in_new_zealand_time(moment, expected):
    assert format_human(moment) == expected


def test_the_zone_abbreviation_on_request():
    assert format_human(datetime(2027, 1, 9, 4, tzinfo=UTC), show_zone=True) == \
        "5pm, 9 January 2027 NZDT"
    assert format_human(datetime(2027, 7, 9, 5, tzinfo=UTC), show_zone=True) == \
        "5pm, 9 July 2027 NZST"


def test_human_dates():
    assert format_human_date(date(2027, 1, 9)) == "9 January 2027"
    assert format_human_date(datetime(2027, 1, 8, 12, tzinfo=UTC)) == "9 January 2027"


def test_iso_8601_for_exports_carries_the_offset():
    moment = datetime(2027, 1, 9, 4, 0, 0, 123456, tzinfo=UTC)
    assert format_iso(moment) == "2027-01-09T17:00:00+13:00"
    assert format_iso(moment, UTC) == "2027-01-09T04:00:00+00:00"
    assert datetime.fromisoformat(format_iso(moment)) == moment.replace(microsecond=0)


def test_naive_datetimes_are_refused_for_display_and_storage():
    with pytest.raises(ValueError):
        as_utc(datetime(2027, 1, 9, 17))
    with pytest.raises(ValueError):
        format_human(datetime(2027, 1, 9, 17))
    with pytest.raises(ValueError):
        local_to_utc(datetime(2027, 1, 9, 17, tzinfo=NZ))


def test_a_local_time_from_a_form_becomes_utc():
    assert local_to_utc(datetime(2027, 1, 9, 17, 0)) == datetime(2027, 1, 9, 4, 0, tzinfo=UTC)
    assert local_to_utc(datetime(2027, 7, 9, 17, 0)) == datetime(2027, 7, 9, 5, 0, tzinfo=UTC)


# New Zealand: clocks go forward at 2am on 26 September 2027 and back at 3am on 4 April 2027.

@pytest.mark.parametrize("wall", [datetime(2027, 9, 26, 2, 0), datetime(2027, 9, 26, 2, 59)])
def test_a_time_skipped_when_the_clocks_go_forward_is_refused(wall):
    assert not exists_locally(wall, NZ)
    with pytest.raises(NonexistentLocalTime):
        local_to_utc(wall, NZ)


def test_either_side_of_the_gap_is_one_minute_apart_in_utc():
    before = local_to_utc(datetime(2027, 9, 26, 1, 59), NZ)
    after = local_to_utc(datetime(2027, 9, 26, 3, 0), NZ)
    assert (after - before).total_seconds() == 60
    assert before == datetime(2027, 9, 25, 13, 59, tzinfo=UTC)


def test_a_time_that_happens_twice_is_read_as_the_first():
    wall = datetime(2027, 4, 4, 2, 30)
    assert exists_locally(wall, NZ) and is_ambiguous(wall, NZ)
    # The first 2:30 is still daylight time (+13); the second, an hour later, is +12.
    assert local_to_utc(wall, NZ) == datetime(2027, 4, 3, 13, 30, tzinfo=UTC)
    assert not is_ambiguous(datetime(2027, 4, 4, 3, 0), NZ)


def test_both_2_30s_display_as_2_30am_and_round_trip_to_the_form():
    first = datetime(2027, 4, 3, 13, 30, tzinfo=UTC)
    second = datetime(2027, 4, 3, 14, 30, tzinfo=UTC)
    assert format_human(first) == format_human(second) == "2:30am, 4 April 2027"
    assert format_iso(first).endswith("+13:00") and format_iso(second).endswith("+12:00")
    assert utc_to_local_naive(second) == datetime(2027, 4, 4, 2, 30)


def test_local_days_are_23_or_25_hours_on_daylight_saving_days():
    spring = local_day_start(date(2027, 9, 27), NZ) - local_day_start(date(2027, 9, 26), NZ)
    autumn = local_day_start(date(2027, 4, 5), NZ) - local_day_start(date(2027, 4, 4), NZ)
    assert spring.total_seconds() == 23 * 3600
    assert autumn.total_seconds() == 25 * 3600
    assert local_day_start(date(2027, 1, 9), NZ) == datetime(2027, 1, 8, 11, tzinfo=UTC)


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2060, 12, 31)))
def test_every_existing_local_time_round_trips_through_utc(wall):
    wall = wall.replace(second=0, microsecond=0)
    if not exists_locally(wall, NZ):
        with pytest.raises(NonexistentLocalTime):
            local_to_utc(wall, NZ)
        return
    assert utc_to_local_naive(local_to_utc(wall, NZ), NZ) == wall


def test_template_filters_and_time_tag(app):
    from flask import render_template_string

    html = render_template_string(
        '{% from "_macros/dates.html" import time_tag %}{{ time_tag(moment) }}',
        moment=datetime(2027, 1, 9, 4, tzinfo=UTC))
    assert html == '<time datetime="2027-01-09T17:00:00+13:00">5pm, 9 January 2027</time>'
