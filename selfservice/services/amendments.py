"""Changes to a member's contact and address data (amendments), and withdrawing a pending one.

Both kinds work alike: the page shows the current data and any change waiting for the studio;
a change is sent as an amendment, which applies at once or after the studio has checked it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from portal import reads, writes
from portal.models import Studio
from portal.perfectgym import errors
from portal.perfectgym import models as m
from portal.upstream import client_for
from selfservice.services.common import NotOwned, Outcome, Resent, once, resent, translated
from selfservice.texts import AMENDMENT_CONFIGURATION

CONTACT = "contact"
ADDRESS = "address"
CONTACT_FIELDS = ("email", "phone_private", "phone_private_mobile", "phone_business", "phone_business_mobile")
ADDRESS_FIELDS = ("street", "house_number", "zip_code", "city", "country_code")
WITHDRAWAL = "amendment_withdrawal"

Current = m.CurrentContactData | m.CurrentAddressData


def read_contact_data(studio: Studio, customer_id: int) -> m.CurrentContactData:
    """The one reader of a member's contact data; raises ApiError."""
    return reads.read(studio, "getCustomerContactData", lambda client: client.get_customer_contact_data(customer_id))


def read_address_data(studio: Studio, customer_id: int) -> m.CurrentAddressData:
    """The one reader of a member's address; raises ApiError."""
    return reads.read(studio, "getCustomerAddressData", lambda client: client.get_customer_address_data(customer_id))


def _send_contact(studio: Studio, customer_id: int, current: Current, values: dict[str, str]) -> None:
    """An empty phone field clears that number."""
    request = m.CustomerContactData(**{name: values.get(name, "") for name in CONTACT_FIELDS})
    client_for(studio).create_customer_contact_data_amendment(customer_id, request)


def _send_address(studio: Studio, customer_id: int, current: Current, values: dict[str, str]) -> None:
    """The API replaces the whole address: fields the form does not show are sent back unchanged."""
    keep = current.model_dump(exclude={"amendment_configuration_status", "pending_amendment"})
    client_for(studio).create_customer_address_data_amendment(customer_id, m.CustomerAddressData(**{**keep, **values}))


@dataclass(frozen=True)
class _Kind:
    action: str
    fields: tuple[str, ...]
    read: Callable[[Studio, int], Current]
    send: Callable[[Studio, int, Current, dict[str, str]], None]


KINDS = {
    CONTACT: _Kind("contact_amendment", CONTACT_FIELDS, read_contact_data, _send_contact),
    ADDRESS: _Kind("address_amendment", ADDRESS_FIELDS, read_address_data, _send_address),
}


def configuration_sentence(status: str) -> str:
    return str(AMENDMENT_CONFIGURATION.get(status, AMENDMENT_CONFIGURATION["READ"]))


@dataclass(frozen=True)
class AmendmentPage:
    """The contact or address page: the data on file, and whether a change can be sent now."""

    kind: str
    current: Current
    resent: Resent

    @property
    def fields(self) -> tuple[str, ...]:
        return KINDS[self.kind].fields

    @property
    def editable(self) -> bool:
        """No change waiting and changes allowed; or this form was sent before and its outcome is unknown."""
        status = self.current.amendment_configuration_status
        return (status != "READ" and self.current.pending_amendment is None) or self.resent.resuming

    @property
    def configuration(self) -> str:
        return configuration_sentence(self.current.amendment_configuration_status)

    @property
    def refusal(self) -> str:
        """Why no change can be sent now."""
        if self.current.pending_amendment is not None:
            return _("A change is already waiting for the studio. Withdraw it first to send a new one.")
        return self.configuration


@translated
def amendment_page(studio: Studio, customer_id: int, kind: str, *, raw_key: str | None) -> AmendmentPage:
    """The member's current data of ``kind`` (CONTACT or ADDRESS) and the earlier write of the posted form."""
    current = KINDS[kind].read(studio, customer_id)
    return AmendmentPage(kind, current, resent(studio, customer_id, raw_key, KINDS[kind].action))


def _same(values: dict[str, Any], data: Any, names: tuple[str, ...]) -> bool:
    def norm(value: Any) -> str:
        return " ".join(str(value or "").split()).casefold()

    return all(norm(values.get(name)) == norm(getattr(data, name, None)) for name in names)


@translated
def change_data(
    studio: Studio, customer_id: int, page: AmendmentPage, values: dict[str, str], *, key: uuid.UUID
) -> Outcome:
    """Send the changed data as an amendment; the result says whether it ``applied`` at once."""
    kind = KINDS[page.kind]

    def read() -> Current:
        return kind.read(studio, customer_id)

    def write() -> writes.Result:
        kind.send(studio, customer_id, page.current, values)
        return {"kind": kind.action, "applied": _applied_after(read)}

    def reconcile() -> writes.Result | None:
        data = read()
        if data.pending_amendment and _same(values, data.pending_amendment, kind.fields):
            return {"kind": kind.action, "applied": False}
        if data.pending_amendment is None and _same(values, data, kind.fields):
            return {"kind": kind.action, "applied": True}
        return None

    return once(studio, customer_id, key, kind.action, write, reconcile, target={}, audit={"fields": sorted(values)})


def _applied_after(read: Callable[[], Current]) -> bool | None:
    """True when the change applied at once, False when it waits for the studio, None when unknown."""
    try:
        data = read()
    except errors.ApiError:
        return None
    return data.pending_amendment is None


@dataclass(frozen=True)
class PendingAmendment:
    id: int
    kind: str  # CONTACT or ADDRESS


@translated
def pending_amendment(studio: Studio, customer_id: int, amendment_id: int, *, raw_key: str | None) -> PendingAmendment:
    """A pending change of the member's own data, else NotOwned.

    A form sent again for the same change was checked as the member's own when it was first sent:
    it is not checked again, as it may be gone now because the withdrawal worked.
    """
    again = resent(studio, customer_id, raw_key, WITHDRAWAL)
    if again.target and again.target.get("amendment_id") == amendment_id:
        return PendingAmendment(amendment_id, again.target["kind"])
    for kind, spec in KINDS.items():
        pending = spec.read(studio, customer_id).pending_amendment
        if pending and pending.id == amendment_id:
            return PendingAmendment(amendment_id, kind)
    raise NotOwned(amendment_id)


@translated
def withdraw_amendment(studio: Studio, customer_id: int, amendment: PendingAmendment, *, key: uuid.UUID) -> Outcome:
    read = KINDS[amendment.kind].read

    def write() -> writes.Result:
        client_for(studio).withdraw_amendment(customer_id, amendment.id)
        return {"kind": WITHDRAWAL, "amendment": amendment.kind}

    def reconcile() -> writes.Result | None:
        pending = read(studio, customer_id).pending_amendment
        if pending is not None and pending.id == amendment.id:
            return None
        return {"kind": WITHDRAWAL, "amendment": amendment.kind}

    target = {"amendment_id": amendment.id, "kind": amendment.kind}
    audit = {"amendment_id": amendment.id, "data": amendment.kind}
    return once(studio, customer_id, key, WITHDRAWAL, write, reconcile, target=target, audit=audit)


def amendment_action(kind: str) -> str:
    """The write action of a change of ``kind`` (CONTACT or ADDRESS), for asking what became of it."""
    return KINDS[kind].action
