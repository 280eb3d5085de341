"""Communication: a message that opens a new communication thread, and the answer."""

from __future__ import annotations

from typing import Literal

from portal.perfectgym.models.base import ApiDateTime, ApiModel

ThreadStatus = Literal["CREATED", "ONGOING", "CLOSED"]
CommunicationDirection = Literal["INCOMING", "OUTGOING"]
CommunicationChannel = Literal["LETTER", "EMAIL", "TEXT_MESSAGE", "PHONE", "FAX", "CONVERSATION", "CHAT", "OTHER"]


class CommunicationThreadRequest(ApiModel):
    communication_thread_status: ThreadStatus
    ticket_number: str | None = None
    subject: str
    content: str
    communication_direction: CommunicationDirection
    ticket_link: str | None = None
    communication_channel: CommunicationChannel
    agent: str | None = None
    communication_date_time: ApiDateTime | None = None


class CommunicationThreadResponse(ApiModel):
    customer_id: int
    communication_id: int
    thread_id: int
    communication_thread_status: ThreadStatus
    ticket_number: str | None = None
    subject: str
    content: str
    communication_direction: CommunicationDirection
    ticket_link: str | None = None
    communication_channel: CommunicationChannel
    agent: str | None = None
