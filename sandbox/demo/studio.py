"""The demo studio's general information."""

from __future__ import annotations

from datetime import date

from sandbox.store import Store


def load(store: Store, today: date) -> None:
    store.create(
        "studio_info",
        {
            "studioId": 1210001,
            "name": "Demo Fitness Berlin",
            "description": "Ein freundliches Studio mit Kursen, Personal Training und Sauna.",
            "country": "Germany",
            "countryCode": "DE",
            "openingDate": "2015-03-01",
            "email": "hallo@demo-fitness.example",
            "telephone": "+49 30 1234567",
            "website": "https://demo-fitness.example",
            "street": "Torstraße",
            "houseNumber": "101",
            "zip": "10119",
            "city": "Berlin",
            "openingHours": [
                {"dayOfWeekFrom": "MONDAY", "dayOfWeekTo": "FRIDAY", "timeFrom": "06:00:00", "timeTo": "23:00:00"},
                {"dayOfWeekFrom": "SATURDAY", "dayOfWeekTo": "SUNDAY", "timeFrom": "08:00:00", "timeTo": "20:00:00"},
            ],
            "publicOpeningHours": [
                {"dayOfWeekFrom": "MONDAY", "dayOfWeekTo": "FRIDAY", "timeFrom": "07:00:00", "timeTo": "22:00:00"},
                {"dayOfWeekFrom": "SATURDAY", "dayOfWeekTo": "SUNDAY", "timeFrom": "09:00:00", "timeTo": "19:00:00"},
            ],
            "closingHours": [],
            "accessCodeConfiguration": {"enabled": True},
            "location": {"latitude": 52.5291, "longitude": 13.4015},
            "studioTags": [{"name": "sauna"}, {"name": "courses"}],
            "utilization": {"capacity": 120},
        },
    )
