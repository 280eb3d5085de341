"""Path converters shared by every app's urls.py.

API ids are int64 and may be negative (the vendor's own example is -9007199254740991), so
``<int:>`` (digits only) cannot reverse them. ``<id:...>`` takes any signed 64-bit integer.
Importing this module registers the converter.
"""

from __future__ import annotations

from django.urls import register_converter

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


class ApiIdConverter:
    regex = r"-?[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not INT64_MIN <= number <= INT64_MAX:
            raise ValueError("not an int64")  # no match: a 404, never a request upstream
        return number

    def to_url(self, value: int) -> str:
        number = int(value)
        if not INT64_MIN <= number <= INT64_MAX:
            raise ValueError("not an int64")
        return str(number)


register_converter(ApiIdConverter, "id")
