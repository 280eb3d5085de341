"""Studio-wide reads used by the home page."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from portal.models import Studio
from portal.perfectgym import errors
from portal.perfectgym.models import StudioInformation
from portal.upstream import client_for
from portal.user_messages import message_for

logger = logging.getLogger("portal.services")


@dataclass(frozen=True)
class StudioOverview:
    information: StudioInformation | None
    problem: str | None = None


def studio_overview(studio: Studio) -> StudioOverview:
    """The studio's name, address and opening hours from the API, or a plain reason why not."""
    try:
        return StudioOverview(information=client_for(studio).get_studio_information())
    except errors.ApiError as exc:
        return StudioOverview(information=None, problem=message_for(exc))
