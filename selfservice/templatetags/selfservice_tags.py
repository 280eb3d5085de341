"""Form widgets with their help and error texts tied on (aria-describedby, aria-invalid)."""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()


def described_by(field: BoundField) -> str:
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}_help")
    if field.errors:
        ids.append(f"{field.auto_id}_error")
    return " ".join(ids)


@register.simple_tag
def widget(field: BoundField, **extra: str) -> SafeString:
    """``{% widget form.email %}``: the input with aria-describedby and aria-invalid when it has errors."""
    attrs: dict[str, str | bool] = {key.replace("_", "-"): value for key, value in extra.items()}
    ids = described_by(field)
    if ids:
        attrs["aria-describedby"] = ids
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def describedby(field: BoundField) -> str:
    return described_by(field)
