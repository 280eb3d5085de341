"""Every operation the portal uses, sent by the real client to the sandbox, checked both ways.

The validating adapter (tests/contract/openapi.py) checks each request before
the sandbox sees it and each answer after, error answers included. The last test
makes sure no operation in the client's OPERATIONS table went unexercised.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.perfectgym import errors
from portal.perfectgym import models as m
from portal.perfectgym.client import OPERATIONS, PerfectGymClient

EXERCISED: dict[str, set[int]] = {}


def _record(log) -> None:
    for path, method, status in log.calls:
        candidates = [
            (template.count("{"), operation_id)
            for operation_id, (op_method, template) in OPERATIONS.items()
            if op_method == method and _matches(template, path)
        ]
        if candidates:
            # Literal segments win over parameters: /v1/classes/slots is not getClassById.
            EXERCISED.setdefault(min(candidates)[1], set()).add(status)


def _matches(template: str, path: str) -> bool:
    t_parts, p_parts = template.split("/"), path.split("/")
    if len(t_parts) != len(p_parts):
        return False
    return all(t == p or (t.startswith("{") and t.endswith("}") and p) for t, p in zip(t_parts, p_parts, strict=True))


@pytest.fixture
def checked(checked_client, contract_log):
    yield checked_client
    _record(contract_log)
    assert contract_log.problems == [], "\n".join(contract_log.problems)


def _member(client: PerfectGymClient, email: str) -> m.Customer:
    found = client.search_customers(m.CustomerSearchRequest(email=email))
    assert len(found) == 1
    return found[0]


def _expect(error_class, call, *args, **kwargs):
    with pytest.raises(error_class):
        call(*args, **kwargs)


def test_studios(checked):
    assert checked.get_studio_information().name
    assert checked.get_utilization().count >= 0


def test_errors_have_the_documented_shape(checked, demo_studio):
    wrong_key = PerfectGymClient(base_url=checked.base_url, api_key="wrong", session=checked.session)
    _expect(errors.Unauthorized, wrong_key.get_studio_information)
    _expect(errors.NotFound, checked.get_class_by_id, 999999999)
    _expect(errors.NotFound, checked.get_customer_by_id, 999999999)


def test_classes(checked):
    classes = checked.all_active_classes()
    assert classes
    one = checked.get_class_by_id(classes[0].id)
    slots = checked.all_class_slots(one.id)
    assert slots
    page = checked.get_class_slots_for_multiple_classes(days_ahead=6, slot_window_start_date=timezone.localdate())
    assert page.result
    slot = checked.get_class_slot_by_id(one.id, slots[0].id)
    assert slot.id == slots[0].id

    member = _member(checked, "mia@example.com")
    # Classes that need no booking (display only) refuse one, whatever the hour: only bookable classes.
    bookable = {one.id for one in classes if one.bookable}
    future = [
        s
        for s in checked.all_class_slots_for_multiple_classes(days_ahead=6)
        if _bookable_now(s) and s.class_information is not None and s.class_information.id in bookable
    ]
    assert future, "the demo needs a class slot that can be booked now"
    request = m.ClassSlotBookingRequest(customer_id=member.id, class_slot_id=future[0].id)
    assert checked.validate_class_slot(request).validation_status
    booked = checked.book_class_slot(request)
    assert checked.get_class_booking_by_id(booked.booking_id).booking_id == booked.booking_id
    assert any(b.booking_id == booked.booking_id for b in checked.get_class_bookings_by_customer_id(member.id))
    assert checked.validate_class_slot(request).validation_status == "CUSTOMER_ALREADY_BOOKED"
    _expect(errors.BadRequest, checked.book_class_slot, request)
    checked.cancel_class_slot_by_id(booked.booking_id)
    _expect(errors.NotFound, checked.get_class_booking_by_id, 999999999)


def _bookable_now(slot: m.ClassSlot) -> bool:
    now = timezone.now()
    return (
        slot.start_date_time is not None
        and slot.start_date_time > now + timedelta(hours=2)
        and (slot.earliest_booking_date_time is None or slot.earliest_booking_date_time <= now)
    )


def test_appointments(checked):
    bookable = checked.all_bookable_appointments()
    assert len(bookable) >= 3
    appointment = checked.get_bookable_appointment(bookable[0].id)
    member = _member(checked, "mia@example.com")
    slots = []
    start = timezone.localdate() + timedelta(days=1)
    for week in range(4):
        slots = checked.get_bookable_appointment_slots(
            appointment.id, customer_id=member.id, days_ahead=6, slot_window_start_date=start + timedelta(weeks=week)
        )
        if slots:
            break
    assert slots
    request = slots[0].booking_request(customer_id=member.id, bookable_appointment_id=appointment.id)
    assert checked.validate_for_appointment_booking(request).validation_status == "AVAILABLE"
    booked = checked.book_appointment_booking(request)
    assert checked.get_appointment_booking(booked.booking_id).customer_id == member.id
    assert any(b.booking_id == booked.booking_id for b in checked.get_appointment_bookings(member.id))
    checked.delete_appointment_booking(booked.booking_id)
    _expect(errors.NotFound, checked.get_appointment_booking, 999999999)


def test_trial_offers_and_vouchers(checked):
    trial_classes = checked.all_bookable_trial_offer_classes()
    trial_appointments = checked.all_bookable_trial_offer_appointments()
    assert trial_classes and trial_appointments
    config = checked.get_trial_offer_config(trial_classes[0].trial_offer_config_id)
    lead = m.TrialOfferLeadCustomerCreationRequest(
        trial_offer_config_id=config.id,
        lead_customer_data=m.LeadData(
            firstname="Erika",
            lastname="Probe",
            email="erika.probe@example.org",
            gender="FEMALE",
            date_of_birth="1990-04-01",
            telephone="+49 170 1234567",
            address=m.LeadCustomerAddressData(street="Hauptstraße", house_number="1", zip_code="10115", city="Berlin"),
        ),
    )
    assert checked.validate_for_lead_customer_creation(lead).validation_status == "POSSIBLE"
    lead_id = checked.create_lead_customer(lead).lead_customer_id
    assert checked.validate_for_lead_customer_creation(lead).validation_status == "DUPLICATE_CUSTOMER"
    _expect(errors.BadRequest, checked.create_lead_customer, lead)

    class_id = trial_classes[0].trial_offer_class.id
    slots = [s for s in checked.all_class_slots_for_trial_offers(class_id) if _bookable_now(s)]
    assert slots
    request = m.ClassSlotBookingRequest(customer_id=lead_id, class_slot_id=slots[0].id)
    assert checked.validate_class_slot_for_trial_offers(request).validation_status
    booking = checked.book_class_slot_for_trial_offers(request)
    assert checked.confirm_trial_offer_booking(booking.booking_id).status in ("CONFIRMED", "EXPIRED")

    appointment = trial_appointments[0].trial_offer_bookable_appointment
    found = []
    for week in range(4):
        found = checked.get_bookable_appointment_slots_for_trial_offers(
            appointment.id,
            days_ahead=6,
            slot_window_start_date=timezone.localdate() + timedelta(days=1, weeks=week),
        )
        if found:
            break
    assert found
    second_lead = lead.model_copy(
        update={
            "trial_offer_config_id": trial_appointments[0].trial_offer_config_id,
            "lead_customer_data": lead.lead_customer_data.model_copy(update={"email": "max.probe@example.org"}),
        }
    )
    second_lead_id = checked.create_lead_customer(second_lead).lead_customer_id
    appointment_request = found[0].booking_request(customer_id=second_lead_id, bookable_appointment_id=appointment.id)
    validation = checked.validate_for_appointment_booking_for_trial_offers(appointment_request)
    assert validation.validation_status == "AVAILABLE"
    assert checked.book_appointment_for_trial_offer(appointment_request).booking_id

    _expect(
        errors.ApiError,
        checked.redeem_checkin_voucher,
        m.CheckinVoucherRedeem(
            voucher_code="NO-SUCH-CODE", firstname="Erika", lastname="Probe", email="e@example.org", online_offer_id=1
        ),
    )


def test_voucher_redeemed(checked, demo_studio):
    from sandbox.store import Store

    vouchers = Store(demo_studio).all("voucher")
    usable = [v for v in vouchers if not v.get("_redeemed") and not v.get("redeemed")]
    assert usable, "the demo needs a usable voucher"
    voucher = usable[0]
    result = checked.redeem_checkin_voucher(
        m.CheckinVoucherRedeem(
            voucher_code=voucher.get("voucherCode") or voucher.get("code"),
            firstname="Erika",
            lastname="Probe",
            email="erika@example.org",
            online_offer_id=voucher.get("onlineOfferId"),
        )
    )
    assert result.studio_access_code


def test_memberships(checked):
    member = _member(checked, "mia@example.com")
    assert checked.get_customer_by_id(member.id).id == member.id
    contracts = checked.get_contract_data(member.id)
    contract = next(c for c in contracts if c.available_cancelation_dates)
    reasons = checked.get_contract_cancelation_reason_data()
    cancel = m.ContractCancelationRequest(
        contract_id=contract.id,
        cancelation_date=contract.available_cancelation_dates[0],
        cancelation_reason_id=reasons[0].cancelation_reason_id,
    )
    checked.create_contract_cancelation_amendment(member.id, cancel)
    _expect(errors.BadRequest, checked.create_contract_cancelation_amendment, member.id, cancel)
    checked.withdraw_contract_cancelation(member.id, contract.id)

    config = checked.get_idle_period_config(contract.id)
    start = config.first_possible_start_date
    validation = checked.validate_idle_period_request(
        contract.id, m.IdlePeriodValidationRequest(start_date=start, temporal_unit=config.temporal_unit, term_value=1)
    )
    assert validation.validation_status
    reason = next((r for r in config.idle_period_reasons if r.document_required), config.idle_period_reasons[0])
    document = m.Document("attest.pdf", b"%PDF-1.4\n%demo\n", "application/pdf")
    created = checked.create_idle_period_amendment(
        contract.id,
        m.IdlePeriodCreateRequest(
            start_date=start, temporal_unit=config.temporal_unit, term_value=1, reason_id=reason.id
        ),
        document=document,
    )
    lists = checked.get_idle_periods(contract.id)
    assert any(p.id == created.id for p in lists.current_and_upcoming_idle_periods)
    assert checked.get_idle_period_by_id(contract.id, created.id).id == created.id
    checked.withdraw_idle_period(contract.id, created.id)
    _expect(errors.NotFound, checked.get_idle_period_by_id, contract.id, 999999999)


def test_customer_self_service(checked):
    member = _member(checked, "mia@example.com")
    contact = checked.get_customer_contact_data(member.id)
    assert contact.amendment_configuration_status
    amended = checked.create_customer_contact_data_amendment(
        member.id, m.CustomerContactData(email="mia.neu@example.com", phone_private_mobile="+49 170 7654321")
    )
    address = checked.get_customer_address_data(member.id)
    checked.create_customer_address_data_amendment(
        member.id,
        m.CustomerAddressData(
            street="Neue Straße", house_number="5", zip_code="10115", city="Berlin", country_code="DE"
        ),
    )
    assert address.amendment_configuration_status
    assert amended is not None
    _expect(errors.NotFound, checked.withdraw_amendment, member.id, 999999999)
    # A member whose changes wait for the studio: amend, then withdraw the pending amendment.
    other = _member(checked, "tom@example.com")
    assert checked.get_customer_contact_data(other.id).amendment_configuration_status == "CHANGES_REQUIRE_VERIFICATION"
    current = checked.get_customer_contact_data(other.id)
    if current.pending_amendment is None:
        checked.create_customer_contact_data_amendment(other.id, m.CustomerContactData(phone_private="+49 30 555"))
        current = checked.get_customer_contact_data(other.id)
    checked.withdraw_amendment(other.id, current.pending_amendment.id)
    assert checked.get_customer_contact_data(other.id).pending_amendment is None
    thread = checked.create_communication_in_new_communication_thread(
        member.id,
        m.CommunicationThreadRequest(
            communication_thread_status="CREATED",
            subject="Kündigung",
            content="Bitte kündigen Sie meinen Vertrag.",
            communication_direction="INCOMING",
            communication_channel="OTHER",
        ),
    )
    assert thread.thread_id


def test_every_operation_was_exercised():
    """Runs last in this module: every operation of the client went through the validator."""
    if not EXERCISED:
        pytest.skip("run the whole module: this test sums up the ones before it")
    missing = sorted(op for op in OPERATIONS if not any(200 <= s < 300 for s in EXERCISED.get(op, ())))
    assert not missing, f"operations never answered successfully under contract checks: {missing}"
