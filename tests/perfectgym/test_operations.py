"""Every operation has one method that sends the documented method, path and parameters.

``OPERATIONS`` is the list other code (contract tests) relies on; this checks it
against what the methods really send, and ``test_spec.py`` checks both against the
OpenAPI description.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from portal.perfectgym import models as m
from portal.perfectgym.client import OPERATIONS, PerfectGymClient

# Path parameters get 11, 22, ... in the order they appear in the template.
SLOT = m.ClassSlotBookingRequest(customer_id=1, class_slot_id=2)
APPOINTMENT = m.AppointmentBookingRequest(
    customer_id=1,
    bookable_appointment_id=2,
    start_date_time="2026-11-23T08:00:00.000+01:00[Europe/Berlin]",
    end_date_time="2026-11-23T08:45:00.000+01:00[Europe/Berlin]",
    instructor_ids=[5],
)
LEAD = m.TrialOfferLeadCustomerCreationRequest(
    lead_customer_data=m.LeadData(firstname="A", lastname="B", email="a@example.com"), trial_offer_config_id=3
)
WINDOW = {"customer_id": 1, "days_ahead": 2, "slot_window_start_date": date(2026, 11, 23)}
IDLE = m.IdlePeriodCreateRequest(start_date=date(2026, 12, 1), reason_id=4)

CALLS: dict[str, Callable[[PerfectGymClient], Any]] = {
    "getBookableTrialOfferClasses": lambda c: c.get_bookable_trial_offer_classes(),
    "getBookableTrialOfferAppointments": lambda c: c.get_bookable_trial_offer_appointments(),
    "getTrialOfferConfig": lambda c: c.get_trial_offer_config(11),
    "validateForLeadCustomerCreation": lambda c: c.validate_for_lead_customer_creation(LEAD),
    "createLeadCustomer": lambda c: c.create_lead_customer(LEAD),
    "getClassSlotsForTrialOffers": lambda c: c.get_class_slots_for_trial_offers(11),
    "getBookableAppointmentSlotsForTrialOffers": lambda c: c.get_bookable_appointment_slots_for_trial_offers(
        11, **WINDOW
    ),
    "validateClassSlotForTrialOffers": lambda c: c.validate_class_slot_for_trial_offers(SLOT),
    "bookClassSlotForTrialOffers": lambda c: c.book_class_slot_for_trial_offers(SLOT),
    "validateForAppointmentBookingForTrialOffers": lambda c: c.validate_for_appointment_booking_for_trial_offers(
        APPOINTMENT
    ),
    "bookAppointmentForTrialOffer": lambda c: c.book_appointment_for_trial_offer(APPOINTMENT),
    "confirmTrialOfferBooking": lambda c: c.confirm_trial_offer_booking(11),
    "redeemCheckinVoucher": lambda c: c.redeem_checkin_voucher(
        m.CheckinVoucherRedeem(voucher_code="V", firstname="A", lastname="B", email="a@example.com", online_offer_id=3)
    ),
    "getActiveClasses": lambda c: c.get_active_classes(),
    "getClassById": lambda c: c.get_class_by_id(11),
    "getClassSlots": lambda c: c.get_class_slots(11),
    "getClassSlotsForMultipleClasses": lambda c: c.get_class_slots_for_multiple_classes(
        days_ahead=0, slot_window_start_date=date(2026, 11, 23)
    ),
    "getClassSlotById": lambda c: c.get_class_slot_by_id(11, 22),
    "validateClassSlot": lambda c: c.validate_class_slot(SLOT),
    "bookClassSlot": lambda c: c.book_class_slot(SLOT),
    "getClassBookingById": lambda c: c.get_class_booking_by_id(11),
    "cancelClassSlotById": lambda c: c.cancel_class_slot_by_id(11),
    "getClassBookingsByCustomerId": lambda c: c.get_class_bookings_by_customer_id(1),
    "getBookableAppointments": lambda c: c.get_bookable_appointments(),
    "getBookableAppointment": lambda c: c.get_bookable_appointment(11),
    "getBookableAppointmentSlots": lambda c: c.get_bookable_appointment_slots(11, **WINDOW),
    "validateForAppointmentBooking": lambda c: c.validate_for_appointment_booking(APPOINTMENT),
    "bookAppointmentBooking": lambda c: c.book_appointment_booking(APPOINTMENT),
    "getAppointmentBooking": lambda c: c.get_appointment_booking(11),
    "deleteAppointmentBooking": lambda c: c.delete_appointment_booking(11),
    "getAppointmentBookings": lambda c: c.get_appointment_bookings(1),
    "searchCustomers": lambda c: c.search_customers(
        m.CustomerSearchRequest(last_name="B", card_number_format="HEX_MSB")
    ),
    "getCustomerById": lambda c: c.get_customer_by_id(11, card_number_format="HEX_LSB"),
    "getContractData": lambda c: c.get_contract_data(11),
    "getContractCancelationReasonData": lambda c: c.get_contract_cancelation_reason_data(),
    "createContractCancelationAmendment": lambda c: c.create_contract_cancelation_amendment(
        11, m.ContractCancelationRequest(cancelation_date=date(2027, 1, 31), cancelation_reason_id=2, contract_id=3)
    ),
    "withdrawContractCancelation": lambda c: c.withdraw_contract_cancelation(11, 22),
    "getIdlePeriodConfig": lambda c: c.get_idle_period_config(11),
    "validateIdlePeriodRequest": lambda c: c.validate_idle_period_request(
        11, m.IdlePeriodValidationRequest(start_date=date(2026, 12, 1), unlimited=True)
    ),
    "getIdlePeriods": lambda c: c.get_idle_periods(11),
    "getIdlePeriodById": lambda c: c.get_idle_period_by_id(11, 22),
    "createIdlePeriodAmendment": lambda c: c.create_idle_period_amendment(11, IDLE),
    "withdrawIdlePeriod": lambda c: c.withdraw_idle_period(11, 22),
    "getCustomerContactData": lambda c: c.get_customer_contact_data(11),
    "createCustomerContactDataAmendment": lambda c: c.create_customer_contact_data_amendment(
        11, m.CustomerContactData(email="a@example.com")
    ),
    "getCustomerAddressData": lambda c: c.get_customer_address_data(11),
    "createCustomerAddressDataAmendment": lambda c: c.create_customer_address_data_amendment(
        11, m.CustomerAddressData(street="S", zip_code="1", city="C", country_code="DE")
    ),
    "withdrawAmendment": lambda c: c.withdraw_amendment(11, 22),
    "createCommunicationInNewCommunicationThread": lambda c: c.create_communication_in_new_communication_thread(
        11,
        m.CommunicationThreadRequest(
            communication_thread_status="CREATED",
            subject="S",
            content="C",
            communication_direction="INCOMING",
            communication_channel="EMAIL",
        ),
    ),
    "getStudioInformation": lambda c: c.get_studio_information(),
    "getUtilization": lambda c: c.get_utilization(),
}

EMPTY_200 = {"cancelClassSlotById", "withdrawAmendment"}


def record(operation: str) -> dict[str, Any]:
    """Call the operation's method with `_call` replaced by a spy; return what it was given."""
    seen: dict[str, Any] = {}

    def spy(self, operation_id, method, path, **kwargs):
        seen.update(operation=operation_id, method=method, path=path, **kwargs)

    client = PerfectGymClient(base_url="https://tenant.example", api_key="k", session=None, sleep=lambda s: None)
    client._call = spy.__get__(client)
    CALLS[operation](client)
    return seen


def expected_path(template: str) -> str:
    counter = iter(range(11, 100, 11))
    return re.sub(r"\{[^}]+\}", lambda _: str(next(counter)), template)


def test_every_operation_has_a_method():
    assert set(CALLS) == set(OPERATIONS)


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_method_sends_the_documented_operation(operation):
    method, template = OPERATIONS[operation]
    seen = record(operation)
    assert (seen["operation"], seen["method"], seen["path"]) == (operation, method, expected_path(template))
    assert (seen.get("response_type") is None) == (operation in EMPTY_200)
    method_name = re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()
    assert getattr(PerfectGymClient, method_name).__doc__.split()[0] == operation
