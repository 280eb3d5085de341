"""iCalendar (RFC 5545) written by hand: events in UTC, escaped text, folded lines, CRLF."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime


def escape(text: str) -> str:
    """TEXT values: backslash, semicolon, comma and line breaks are escaped."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Lines longer than 75 octets go on after CRLF and one space, never inside a character."""
    if len(line.encode("utf-8")) <= 75:
        return line
    parts, current, limit = [], b"", 75
    for char in line:
        piece = char.encode("utf-8")
        if len(current) + len(piece) > limit:
            parts.append(current.decode("utf-8"))
            current, limit = b"", 74  # continuation lines start with a space
        current += piece
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def utc_stamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("calendar times must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def vevent(
    *,
    uid: str,
    starts_at: datetime,
    ends_at: datetime,
    summary: str,
    location: str = "",
    description: str = "",
    status: str | None = None,
    stamp: datetime | None = None,
) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{escape(uid)}",
        f"DTSTAMP:{utc_stamp(stamp or datetime.now(UTC))}",
        f"DTSTART:{utc_stamp(starts_at)}",
        f"DTEND:{utc_stamp(ends_at)}",
        f"SUMMARY:{escape(summary)}",
        f"LOCATION:{escape(location)}",
        f"DESCRIPTION:{escape(description)}",
    ]
    if status:
        lines.append(f"STATUS:{status}")
    lines.append("END:VEVENT")
    return lines


def vcalendar(events: Iterable[list[str]], *, prodid: str, name: str = "", refresh: str = "PT1H") -> bytes:
    """A whole calendar file; ``name`` makes it a subscribable feed (calendar apps refresh it)."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{prodid}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    if name:
        lines += [
            f"X-WR-CALNAME:{escape(name)}",
            f"REFRESH-INTERVAL;VALUE=DURATION:{refresh}",
            f"X-PUBLISHED-TTL:{refresh}",
        ]
    for event in events:
        lines += event
    lines.append("END:VCALENDAR")
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode("utf-8")
