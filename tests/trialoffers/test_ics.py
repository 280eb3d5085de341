"""The hand-written calendar file: RFC 5545 line endings, escaping, folding and UTC times."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime

import pytest

from portal.lib.ical import escape, fold
from trialoffers.ics import calendar_file

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def test_one_event_in_utc_with_crlf():
    body = calendar_file(
        uid="trial-42-demo@portal.example",
        starts_at=datetime(2026, 7, 1, 9, 0, tzinfo=BERLIN),
        ends_at=datetime(2026, 7, 1, 10, 0, tzinfo=BERLIN),
        summary="Hatha Yoga (Demo Fitness Berlin)",
        location="Kursraum 1, Torstraße 101; Berlin",
        description="With Lena V.\nBring a towel",
        stamp=datetime(2026, 6, 30, 12, 0, tzinfo=UTC),
    ).decode()
    lines = body.split("\r\n")
    assert lines[:2] == ["BEGIN:VCALENDAR", "VERSION:2.0"] and lines[-2:] == ["END:VCALENDAR", ""]
    assert "DTSTART:20260701T070000Z" in lines and "DTEND:20260701T080000Z" in lines  # summer time: UTC+2
    assert "DTSTAMP:20260630T120000Z" in lines and "UID:trial-42-demo@portal.example" in lines
    assert "LOCATION:Kursraum 1\\, Torstraße 101\\; Berlin" in lines
    assert "DESCRIPTION:With Lena V.\\nBring a towel" in lines
    assert lines.index("BEGIN:VEVENT") < lines.index("END:VEVENT")
    assert "\n" not in body.replace("\r\n", "")


def test_winter_time_and_naive_times():
    body = calendar_file(
        uid="x",
        starts_at=datetime(2026, 12, 1, 9, 0, tzinfo=BERLIN),
        ends_at=datetime(2026, 12, 1, 10, 0, tzinfo=BERLIN),
        summary="s",
        location="l",
        description="d",
    ).decode()
    assert "DTSTART:20261201T080000Z" in body
    with pytest.raises(ValueError):
        calendar_file(
            uid="x",
            starts_at=datetime(2026, 12, 1),
            ends_at=datetime(2026, 12, 1),
            summary="",
            location="",
            description="",
        )


def test_escaping():
    assert escape("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"


def test_long_lines_are_folded_at_75_octets_without_splitting_characters():
    line = "DESCRIPTION:" + "Körperanalyse " * 20
    folded = fold(line)
    parts = folded.split("\r\n")
    assert all(len(part.encode()) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert "".join([parts[0], *(part[1:] for part in parts[1:])]) == line
    assert fold("SHORT:line") == "SHORT:line"
