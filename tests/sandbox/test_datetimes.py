"""The sandbox's own date-time dialect, checked against the API's description and the client's reader."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, timedelta, timezone

import pytest

from portal.perfectgym.datetimes import format_api_datetime, parse_api_datetime
from sandbox.datetimes import format_datetime, parse_datetime

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("moment", "written"),
    [
        (datetime(2026, 11, 22, 8, 0, tzinfo=BERLIN), "2026-11-22T08:00:00.000+01:00[Europe/Berlin]"),
        (datetime(2026, 6, 22, 8, 0, 5, 123999, tzinfo=BERLIN), "2026-06-22T08:00:05.123+02:00[Europe/Berlin]"),
        (datetime(2026, 3, 1, 23, 59, tzinfo=UTC), "2026-03-01T23:59:00.000+00:00"),
        (
            datetime(2026, 3, 1, 7, 30, tzinfo=timezone(timedelta(hours=-3, minutes=-30))),
            "2026-03-01T07:30:00.000-03:30",
        ),
    ],
)
def test_writes_the_api_format_and_the_client_reads_it_back(moment, written):
    assert format_datetime(moment) == written
    assert parse_api_datetime(written) == moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    assert format_api_datetime(moment) == written  # both sides agree with the API description


def test_a_naive_date_time_cannot_be_written():
    with pytest.raises(ValueError):
        format_datetime(datetime(2026, 11, 22, 8, 0))


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-22T08:00:00.000+01:00[Europe/Berlin]",
        "2026-11-22T07:00:00Z",
        "2026-11-22T07:00:00.000+00:00",
        "2026-11-22T07:00:00",
    ],
)
def test_reads_every_form_the_api_uses(text):
    assert parse_datetime(text) == datetime(2026, 11, 22, 7, 0, tzinfo=UTC)
    assert parse_datetime(text) == parse_api_datetime(text)


def test_a_bracketed_zone_gives_local_time_in_that_zone():
    parsed = parse_datetime("2026-03-29T01:30:00.000Z[Europe/Berlin]")
    assert parsed.tzinfo == BERLIN
    assert (parsed.hour, parsed.utcoffset()) == (3, timedelta(hours=2))  # after the spring-forward


@pytest.mark.parametrize(
    "text",
    ["", "yesterday", "2026-11-22T08:00:00+01:00[Mars/Olympus]", "2026-11-22T08:00:00+01:00[Europe/Berlin", "[]"],
)
def test_rejects_what_is_not_a_date_time(text):
    with pytest.raises(ValueError):
        parse_datetime(text)


def test_rejects_what_is_not_a_string():
    with pytest.raises(TypeError):
        parse_datetime(20261122)
