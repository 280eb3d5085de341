"""The demo studio's classes, weekly timetable and bookable appointments.

Only the weekly pattern is stored; slots are generated relative to today (sandbox/schedule.py), so the
schedule never goes stale. Daily at 18:00 "HIIT Express" is full with one waiting-list place left and at
18:30 "Indoor Cycling" has one place left; "Sauna-Aufguss" is display only; the midday class the day
after tomorrow is canceled and the studio is closed until 14:00 in three days (studio closingHours).
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta
from typing import Any

from sandbox.datetimes import format_datetime
from sandbox.schedule.common import WEEKDAYS
from sandbox.store import Store

INSTRUCTORS = {
    "lena": {"id": 9001, "firstName": "Lena", "lastName": "Vogel", "publicName": "Lena V."},
    "jonas": {"id": 9002, "firstName": "Jonas", "lastName": "Becker", "publicName": "Jonas B."},
    "aylin": {"id": 9003, "firstName": "Aylin", "lastName": "Demir", "publicName": "Aylin D."},
    "marco": {"id": 9004, "firstName": "Marco", "lastName": "Rossi", "publicName": "Marco R."},
    "sophie": {"id": 9005, "firstName": "Sophie", "lastName": "Wagner", "publicName": "Sophie W."},
    "tim": {"id": 9006, "firstName": "Tim", "lastName": "Schulz", "publicName": "Tim S."},
    "emma": {"id": 9007, "firstName": "Emma", "lastName": "Klein", "publicName": "Emma K."},
    "kai": {"id": 9008, "firstName": "Kai", "lastName": "Nowak", "publicName": "Kai N."},
}

ROOMS = {
    "studio1": {"id": 501, "name": "Kursraum 1", "description": "Großer Kursraum im 1. OG"},
    "studio2": {"id": 502, "name": "Kursraum 2", "description": "Kleiner Kursraum mit Spiegelwand"},
    "cycling": {"id": 503, "name": "Cycling-Studio", "description": "25 Bikes, Soundsystem"},
    "functional": {"id": 504, "name": "Functional Area", "description": "Kunstrasen, Rig und Kettlebells"},
    "sauna": {"id": 505, "name": "Saunabereich", "description": "Finnische Sauna, 90 °C"},
    "online": {"id": 506, "name": "Online", "description": "Livestream über die Studio-App"},
}

_CANCEL_2H = {"cancelationAfterLatestPossible": False, "latestCancelTerm": {"value": 2, "unit": "HOURS"}}
_CANCEL_30MIN = {"cancelationAfterLatestPossible": True, "latestCancelTerm": {"value": 30, "unit": "MINUTES"}}

# key: (title, category, minutes, description, extra fields)
CLASSES: dict[str, tuple[str, str, int, str, dict[str, Any]]] = {
    "hatha": ("Hatha Yoga", "Yoga", 60, "Ruhiges Yoga mit Atemübungen, für alle Level.", {}),
    "vinyasa": ("Vinyasa Flow", "Yoga", 75, "Dynamische Abfolgen im Rhythmus des Atems.", {}),
    "yoga_live": (
        "Yoga am Morgen (Livestream)",
        "Yoga",
        30,
        "Sanft in den Tag, bequem von zu Hause.",
        {"type": "STREAM", "cancelCondition": _CANCEL_30MIN},
    ),
    "hiit": ("HIIT Express", "HIIT", 30, "30 Minuten Intervalltraining: kurz, hart, effektiv.", {}),
    "tabata": ("Tabata", "HIIT", 45, "20 Sekunden Vollgas, 10 Sekunden Pause.", {}),
    "cycling": ("Indoor Cycling", "Cycling", 45, "Ausdauertraining auf dem Bike mit Musik.", {}),
    "power_ride": ("Spinning Power Ride", "Cycling", 60, "Berge, Sprints und Intervalle.", {}),
    "pilates": ("Pilates Mat", "Pilates", 55, "Kräftigt die Körpermitte, verbessert die Haltung.", {}),
    "barbell": ("Langhantel Workout", "Strength", 60, "Ganzkörperkraft mit der Langhantel.", {}),
    "functional": ("Functional Strength", "Strength", 45, "Kettlebells, Schlingentrainer, Körpergewicht.", {}),
    "zumba": ("Zumba", "Dance", 60, "Latin-Dance-Workout, gute Laune garantiert.", {}),
    "dance": ("Dance Cardio", "Dance", 45, "Choreografien zu aktuellen Charts.", {}),
    "back": ("Rücken Fit", "Gesundheit", 45, "Gezielte Übungen für einen starken Rücken.", {}),
    "aufguss": (
        "Sauna-Aufguss",
        "Wellness",
        15,
        "Klassischer Aufguss mit wechselnden Düften. Ohne Anmeldung.",
        {"bookable": False},
    ),
}

WORKDAYS = (0, 1, 2, 3, 4)

# (weekdays, start, class, instructors, room, max, max waiting list, base booked, variation, base waiting)
TIMETABLE: list[tuple[tuple[int, ...], str, str, tuple[str, ...], str, int, int, int, int, int]] = [
    (WORKDAYS, "07:00", "yoga_live", ("lena",), "online", 40, 0, 8, 12, 0),
    (WORKDAYS, "18:00", "hiit", ("jonas",), "functional", 16, 5, 16, 0, 4),  # full, one waiting place left
    (WORKDAYS, "18:30", "cycling", ("tim",), "cycling", 20, 3, 19, 0, 0),  # one place left
    (WORKDAYS, "20:30", "aufguss", ("kai",), "sauna", 25, 0, 4, 10, 0),
    ((0, 4), "09:30", "pilates", ("sophie",), "studio2", 18, 3, 7, 6, 0),
    ((0, 2, 4), "12:15", "functional", ("marco",), "functional", 14, 2, 5, 6, 0),
    ((0, 2), "17:00", "back", ("sophie",), "studio2", 15, 2, 6, 5, 0),
    ((0, 4), "19:00", "vinyasa", ("aylin",), "studio1", 24, 4, 10, 10, 0),
    ((0, 2, 4), "19:30", "zumba", ("emma",), "studio2", 25, 5, 12, 9, 0),
    ((1, 3), "09:00", "hatha", ("lena",), "studio1", 20, 3, 7, 8, 0),
    ((1, 3), "12:15", "tabata", ("jonas",), "functional", 16, 2, 6, 6, 0),
    ((1, 3), "17:00", "barbell", ("marco",), "studio1", 20, 3, 9, 8, 0),
    ((1, 3), "19:00", "pilates", ("sophie",), "studio2", 18, 3, 8, 6, 0),
    ((1, 3), "20:00", "dance", ("aylin",), "studio1", 22, 3, 9, 9, 0),
    ((2,), "09:30", "back", ("sophie",), "studio2", 15, 2, 5, 5, 0),
    ((2,), "19:30", "power_ride", ("tim",), "cycling", 20, 3, 10, 8, 0),
    ((5,), "09:00", "hatha", ("lena",), "studio1", 20, 3, 8, 8, 0),
    ((5,), "10:00", "power_ride", ("tim",), "cycling", 20, 3, 12, 7, 0),
    ((5,), "11:00", "zumba", ("aylin",), "studio2", 25, 5, 14, 9, 0),
    ((5,), "12:00", "barbell", ("marco",), "studio1", 20, 3, 10, 8, 0),
    ((5,), "16:00", "vinyasa", ("aylin",), "studio1", 24, 4, 11, 10, 0),
    ((5, 6), "17:30", "aufguss", ("kai",), "sauna", 25, 0, 6, 10, 0),
    ((6,), "09:30", "yoga_live", ("lena",), "online", 40, 0, 10, 12, 0),
    ((6,), "10:00", "cycling", ("tim",), "cycling", 20, 3, 11, 7, 0),
    ((6,), "11:00", "pilates", ("sophie",), "studio2", 18, 3, 8, 6, 0),
    ((6,), "12:00", "back", ("sophie",), "studio2", 15, 2, 6, 5, 0),
    ((6,), "17:00", "hatha", ("lena",), "studio1", 20, 3, 9, 8, 0),
    ((6,), "18:30", "dance", ("aylin",), "studio1", 22, 3, 10, 9, 0),
]


def _week(days: tuple[int, ...], time_from: str, time_to: str) -> list[dict[str, str]]:
    return [{"dayOfWeek": WEEKDAYS[day], "timeFrom": time_from, "timeTo": time_to} for day in days]


# Bookable appointment types: public fields plus internal availability and rules.
APPOINTMENT_TYPES: list[dict[str, Any]] = [
    {
        "title": "Probetraining",
        "duration": 60,
        "category": "Training",
        "description": "Trainingsberatung und ein erstes Workout mit einem Coach (trial workout).",
        "_availability": _week(WORKDAYS, "09:00", "20:00") + _week((5,), "10:00", "16:00"),
        "_instructors": [INSTRUCTORS["jonas"], INSTRUCTORS["sophie"], INSTRUCTORS["marco"]],
    },
    {
        "title": "Körperanalyse (InBody)",
        "duration": 30,
        "category": "Gesundheit",
        "description": "Körperfett, Muskelmasse und Wasseranteil in 30 Minuten (body analysis).",
        "_availability": _week((0, 2, 4), "08:00", "12:00") + _week((1, 3), "16:00", "20:00"),
        "_instructors": [INSTRUCTORS["emma"]],
        "_maxUpcomingPerCustomer": 1,
    },
    {
        "title": "Personal Training",
        "duration": 60,
        "category": "Training",
        "description": "Eins-zu-eins-Training mit Trainingsplan. Nur für Mitglieder.",
        "_availability": _week((0, 1, 2, 3, 4, 5), "07:00", "21:00"),
        "_instructors": [INSTRUCTORS["jonas"], INSTRUCTORS["marco"]],
        "_membersOnly": True,
    },
    {
        "title": "Ernährungsberatung",
        "duration": 45,
        "category": "Gesundheit",
        "description": "Individuelle Beratung zu Ernährung und Trainingsziel (nutrition advice).",
        "_availability": _week((1, 3), "10:00", "14:00"),
        "_instructors": [INSTRUCTORS["emma"]],
    },
]

CANCELED_DAY_OFFSET = 2  # the midday classes (11:00-13:59) that day are canceled
CLOSED_DAY_OFFSET = 3  # the studio is closed until 14:00 that day
CLOSED_UNTIL = time(14, 0)


def load(store: Store, today: date) -> None:
    class_ids = {}
    for key, (title, category, minutes, description, extra) in CLASSES.items():
        klass = {
            "title": title,
            "type": "STUDIO",
            "duration": minutes,
            "category": category,
            "description": description,
            "bookable": True,
            "cancelCondition": _CANCEL_2H,
            **extra,
        }
        class_ids[key] = store.create("class", klass)["id"]

    canceled_day = today + timedelta(days=CANCELED_DAY_OFFSET)
    for days, start, key, instructors, room, maximum, waiting, base, variation, base_waiting in TIMETABLE:
        for day in days:
            midday = "11:00" <= start < "14:00"
            store.create(
                "timetable_entry",
                {
                    "classId": class_ids[key],
                    "weekday": WEEKDAYS[day],
                    "startTime": start,
                    "instructors": [INSTRUCTORS[name] for name in instructors],
                    "location": ROOMS[room],
                    "maxParticipants": maximum,
                    "maxWaitingListParticipants": waiting,
                    "baseParticipants": base,
                    "participantsVariation": variation,
                    "baseWaitingList": base_waiting,
                    "additionalParticipants": 0,
                    "_canceledDates": [canceled_day.isoformat()] if midday and day == canceled_day.weekday() else [],
                },
            )

    for atype in APPOINTMENT_TYPES:
        store.create("appointment_type", atype)

    _close_studio(store, today + timedelta(days=CLOSED_DAY_OFFSET))


def _close_studio(store: Store, day: date) -> None:
    """A morning closure in the studio's closingHours: bookings then answer STUDIO_CLOSED."""
    zone = zoneinfo.ZoneInfo(store.studio.timezone)
    for info in store.all("studio_info"):
        info.setdefault("closingHours", []).append(
            {
                "reason": "Grundreinigung (deep cleaning)",
                "dateTimeFrom": format_datetime(datetime.combine(day, time(0, 0), tzinfo=zone)),
                "dateTimeTo": format_datetime(datetime.combine(day, CLOSED_UNTIL, tzinfo=zone)),
            }
        )
        store.save("studio_info", info)
