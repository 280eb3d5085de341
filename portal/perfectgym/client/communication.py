"""Communication: a message in a new communication thread."""

from __future__ import annotations

from portal.perfectgym import models as m
from portal.perfectgym.client.transport import Transport

OPERATIONS: dict[str, tuple[str, str]] = {
    "createCommunicationInNewCommunicationThread": ("POST", "/v1/communications/{customerId}/threads"),
}


class CommunicationApi(Transport):
    def create_communication_in_new_communication_thread(
        self, customer_id: int, request: m.CommunicationThreadRequest
    ) -> m.CommunicationThreadResponse:
        """createCommunicationInNewCommunicationThread"""
        return self._call(
            "createCommunicationInNewCommunicationThread",
            "POST",
            f"/v1/communications/{customer_id}/threads",
            json_body=request.to_json(),
            response_type=m.CommunicationThreadResponse,
        )
