"""Looking up studios for requests."""

from __future__ import annotations

from django.http import Http404

from portal.models import Studio


def get_active_studio(slug: str) -> Studio | None:
    return Studio.objects.filter(slug=slug, is_active=True).first()


def studio_or_404(request, slug: str) -> Studio:
    studio = getattr(request, "studio", None)
    if studio is None or studio.slug != slug:
        studio = get_active_studio(slug)
    if studio is None:
        raise Http404("No such studio")
    return studio
