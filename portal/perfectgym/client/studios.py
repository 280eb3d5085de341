"""Studios: the studio's information and its current utilization."""

from __future__ import annotations

from portal.perfectgym import models as m
from portal.perfectgym.client.transport import Transport

OPERATIONS: dict[str, tuple[str, str]] = {
    "getStudioInformation": ("GET", "/v1/studios/information"),
    "getUtilization": ("GET", "/v1/studios/utilization"),
}


class StudiosApi(Transport):
    def get_studio_information(self) -> m.StudioInformation:
        """getStudioInformation"""
        return self._call("getStudioInformation", "GET", "/v1/studios/information", response_type=m.StudioInformation)

    def get_utilization(self) -> m.StudioUtilization:
        """getUtilization"""
        return self._call("getUtilization", "GET", "/v1/studios/utilization", response_type=m.StudioUtilization)
