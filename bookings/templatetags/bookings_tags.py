"""Small template helpers for the bookings pages."""

from __future__ import annotations

import uuid

from django import template

register = template.Library()


@register.simple_tag
def new_key() -> str:
    """A fresh idempotency key for one booking form: a double click sends the same key twice."""
    return str(uuid.uuid4())
