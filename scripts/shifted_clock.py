"""Print a UTC instant for libfaketime (``faketime -f "@<instant>"``) from a Berlin wall-clock time.

The suite must pass whatever the clock says when it starts. CI runs it once shifted
(see .ci/run); to try other moments by hand:

    faketime -f "@$(.venv/bin/python scripts/shifted_clock.py --berlin 05:59)" .venv/bin/pytest -m "not browser"
    .venv/bin/python scripts/shifted_clock.py --berlin 23:59 --before-dst-change   # the eve of a 25-hour day
    .venv/bin/python scripts/shifted_clock.py --berlin 01:30 --on 2027-03-28        # the 23-hour day itself
"""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")


def next_dst_change(after: date) -> date:
    """The next day (from ``after`` on) whose length in Berlin is not 24 hours."""
    day = after
    while True:
        start = datetime.combine(day, time(0), tzinfo=BERLIN)
        end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=BERLIN)
        if end.astimezone(UTC) - start.astimezone(UTC) != timedelta(hours=24):
            return day
        day += timedelta(days=1)


def instant(berlin_clock: str, on: date) -> str:
    local = datetime.combine(on, time.fromisoformat(berlin_clock), tzinfo=BERLIN)
    return local.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--berlin", default="12:00", help="wall-clock time in Berlin, HH:MM (default 12:00)")
    parser.add_argument("--on", type=date.fromisoformat, help="the Berlin date (default today)")
    parser.add_argument(
        "--before-dst-change", action="store_true", help="the day before the next daylight-saving change"
    )
    args = parser.parse_args()
    day = args.on or datetime.now(BERLIN).date()
    if args.before_dst_change:
        day = next_dst_change(day) - timedelta(days=1)
    print(instant(args.berlin, day))


if __name__ == "__main__":
    main()
