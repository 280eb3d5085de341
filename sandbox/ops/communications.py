"""Customer communication: a new thread with its first communication.

The portal records declarations the API has no operation for (for example an
extraordinary cancelation) this way. ``communication_thread`` holds the thread's
customer and status; ``communication`` one message of a thread.
"""

from __future__ import annotations

from typing import Any

from sandbox.datetimes import parse_datetime
from sandbox.errors import ApiProblem
from sandbox.ops.customers import public, require_customer
from sandbox.router import SandboxRequest, operation

_ENUMS = {
    "communicationThreadStatus": ("CREATED", "ONGOING", "CLOSED"),
    "communicationDirection": ("INCOMING", "OUTGOING"),
    "communicationChannel": ("LETTER", "EMAIL", "TEXT_MESSAGE", "PHONE", "FAX", "CONVERSATION", "CHAT", "OTHER"),
}
_OPTIONAL = ("ticketNumber", "ticketLink", "agent")


@operation("POST", "/v1/communications/{customerId}/threads", "createCommunicationInNewCommunicationThread")
def create_thread(ctx: SandboxRequest, customerId: str) -> dict[str, Any]:
    customer = require_customer(ctx, customerId)
    body = ctx.body_dict()
    ctx.require_fields(body, "communicationThreadStatus", "subject", "content", *_ENUMS)
    for name, allowed in _ENUMS.items():
        if body[name] not in allowed:
            raise ApiProblem.validation(name, f"{name} must be one of {', '.join(allowed)}")
    for name in ("subject", "content", *_OPTIONAL):
        if body.get(name) is not None and not isinstance(body[name], str):
            raise ApiProblem.validation(name, f"{name} must be a string")
    when = body.get("communicationDateTime")
    if when is not None:
        try:
            parse_datetime(when)
        except (TypeError, ValueError):
            raise ApiProblem.validation("communicationDateTime", "communicationDateTime must be a date-time") from None

    thread = ctx.store.create(
        "communication_thread",
        {"customerId": customer["id"], "communicationThreadStatus": body["communicationThreadStatus"]},
    )
    fields = {name: body.get(name) for name in (*_ENUMS, "subject", "content", *_OPTIONAL)}
    communication = ctx.store.create(
        "communication",
        {
            **fields,
            "customerId": customer["id"],
            "threadId": thread["id"],
            "_communicationDateTime": when or ctx.fmt(ctx.now),
        },
    )
    return public(
        {**fields, "customerId": customer["id"], "communicationId": communication["id"], "threadId": thread["id"]}
    )
