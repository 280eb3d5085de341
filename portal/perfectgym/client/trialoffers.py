"""Trial offers (leads, their class and appointment bookings, confirmation) and check-in vouchers."""

from __future__ import annotations

from datetime import date

from portal.perfectgym import models as m
from portal.perfectgym.client.transport import MAX_SLICE, Transport, slice_params, slot_window_params

OPERATIONS: dict[str, tuple[str, str]] = {
    "getBookableTrialOfferClasses": ("GET", "/v1/trial-offers/bookable-trial-offers/classes"),
    "getBookableTrialOfferAppointments": ("GET", "/v1/trial-offers/bookable-trial-offers/appointments/bookable"),
    "getTrialOfferConfig": ("GET", "/v1/trial-offers/config/{configId}"),
    "validateForLeadCustomerCreation": ("POST", "/v1/trial-offers/lead/validate"),
    "createLeadCustomer": ("POST", "/v1/trial-offers/lead/create"),
    "getClassSlotsForTrialOffers": ("GET", "/v1/trial-offers/bookable-trial-offers/classes/{classId}/slots"),
    "getBookableAppointmentSlotsForTrialOffers": (
        "GET",
        "/v1/trial-offers/bookable-trial-offers/appointments/bookable/{bookableAppointmentId}/slots",
    ),
    "validateClassSlotForTrialOffers": ("POST", "/v1/trial-offers/classes/booking/validate"),
    "bookClassSlotForTrialOffers": ("POST", "/v1/trial-offers/classes/booking/book"),
    "validateForAppointmentBookingForTrialOffers": ("POST", "/v1/trial-offers/appointments/booking/validate"),
    "bookAppointmentForTrialOffer": ("POST", "/v1/trial-offers/appointments/booking/book"),
    "confirmTrialOfferBooking": ("POST", "/v1/trial-offers/bookings/{bookingId}/confirm"),
    "redeemCheckinVoucher": ("POST", "/v1/checkin-vouchers/redeem"),
}


class TrialOffersApi(Transport):
    def get_bookable_trial_offer_classes(
        self, *, offset: str = "0", slice_size: int = 50
    ) -> m.Sliced[m.TrialOfferClass]:
        """getBookableTrialOfferClasses"""
        return self._call(
            "getBookableTrialOfferClasses",
            "GET",
            "/v1/trial-offers/bookable-trial-offers/classes",
            params=slice_params(offset, slice_size),
            response_type=m.Sliced[m.TrialOfferClass],
        )

    def all_bookable_trial_offer_classes(self) -> list[m.TrialOfferClass]:
        return self._all(lambda offset: self.get_bookable_trial_offer_classes(offset=offset, slice_size=MAX_SLICE))

    def get_bookable_trial_offer_appointments(
        self, *, offset: str = "0", slice_size: int = 50
    ) -> m.Sliced[m.BookableTrialOfferAppointment]:
        """getBookableTrialOfferAppointments"""
        return self._call(
            "getBookableTrialOfferAppointments",
            "GET",
            "/v1/trial-offers/bookable-trial-offers/appointments/bookable",
            params=slice_params(offset, slice_size),
            response_type=m.Sliced[m.BookableTrialOfferAppointment],
        )

    def all_bookable_trial_offer_appointments(self) -> list[m.BookableTrialOfferAppointment]:
        return self._all(lambda offset: self.get_bookable_trial_offer_appointments(offset=offset, slice_size=MAX_SLICE))

    def get_trial_offer_config(self, config_id: int) -> m.TrialOfferConfig:
        """getTrialOfferConfig"""
        return self._call(
            "getTrialOfferConfig", "GET", f"/v1/trial-offers/config/{config_id}", response_type=m.TrialOfferConfig
        )

    def validate_for_lead_customer_creation(
        self, request: m.TrialOfferLeadCustomerCreationRequest
    ) -> m.TrialOfferLeadCustomerCreationValidationResult:
        """validateForLeadCustomerCreation"""
        return self._call(
            "validateForLeadCustomerCreation",
            "POST",
            "/v1/trial-offers/lead/validate",
            json_body=request.to_json(),
            response_type=m.TrialOfferLeadCustomerCreationValidationResult,
        )

    def create_lead_customer(
        self, request: m.TrialOfferLeadCustomerCreationRequest
    ) -> m.TrialOfferLeadCustomerCreationResult:
        """createLeadCustomer"""
        return self._call(
            "createLeadCustomer",
            "POST",
            "/v1/trial-offers/lead/create",
            json_body=request.to_json(),
            response_type=m.TrialOfferLeadCustomerCreationResult,
        )

    def get_class_slots_for_trial_offers(
        self, class_id: int, *, offset: str = "0", slice_size: int = 50
    ) -> m.Sliced[m.ClassSlot]:
        """getClassSlotsForTrialOffers"""
        return self._call(
            "getClassSlotsForTrialOffers",
            "GET",
            f"/v1/trial-offers/bookable-trial-offers/classes/{class_id}/slots",
            params=slice_params(offset, slice_size),
            response_type=m.Sliced[m.ClassSlot],
        )

    def all_class_slots_for_trial_offers(self, class_id: int) -> list[m.ClassSlot]:
        return self._all(
            lambda offset: self.get_class_slots_for_trial_offers(class_id, offset=offset, slice_size=MAX_SLICE)
        )

    def get_bookable_appointment_slots_for_trial_offers(
        self,
        bookable_appointment_id: int,
        *,
        customer_id: int | None = None,
        days_ahead: int | None = None,
        slot_window_start_date: date | None = None,
    ) -> list[m.BookableAppointmentSlot]:
        """getBookableAppointmentSlotsForTrialOffers (``days_ahead`` 1..6, upstream default 1)"""
        return self._call(
            "getBookableAppointmentSlotsForTrialOffers",
            "GET",
            f"/v1/trial-offers/bookable-trial-offers/appointments/bookable/{bookable_appointment_id}/slots",
            params=slot_window_params(customer_id, days_ahead, slot_window_start_date, minimum_days=1),
            response_type=list[m.BookableAppointmentSlot],
        )

    def validate_class_slot_for_trial_offers(
        self, request: m.ClassSlotBookingRequest
    ) -> m.ClassSlotBookingValidationResult:
        """validateClassSlotForTrialOffers"""
        return self._call(
            "validateClassSlotForTrialOffers",
            "POST",
            "/v1/trial-offers/classes/booking/validate",
            json_body=request.to_json(),
            response_type=m.ClassSlotBookingValidationResult,
        )

    def book_class_slot_for_trial_offers(self, request: m.ClassSlotBookingRequest) -> m.ClassSlotBookingResult:
        """bookClassSlotForTrialOffers"""
        return self._call(
            "bookClassSlotForTrialOffers",
            "POST",
            "/v1/trial-offers/classes/booking/book",
            json_body=request.to_json(),
            response_type=m.ClassSlotBookingResult,
        )

    def validate_for_appointment_booking_for_trial_offers(
        self, request: m.AppointmentBookingRequest
    ) -> m.AppointmentBookingValidationResult:
        """validateForAppointmentBookingForTrialOffers"""
        return self._call(
            "validateForAppointmentBookingForTrialOffers",
            "POST",
            "/v1/trial-offers/appointments/booking/validate",
            json_body=request.to_json(),
            response_type=m.AppointmentBookingValidationResult,
        )

    def book_appointment_for_trial_offer(self, request: m.AppointmentBookingRequest) -> m.AppointmentBookingResult:
        """bookAppointmentForTrialOffer"""
        return self._call(
            "bookAppointmentForTrialOffer",
            "POST",
            "/v1/trial-offers/appointments/booking/book",
            json_body=request.to_json(),
            response_type=m.AppointmentBookingResult,
        )

    def confirm_trial_offer_booking(self, booking_id: int) -> m.BookingConfirmationResult:
        """confirmTrialOfferBooking (for BOOKED_WITH_CONFIRMATION_REQUIRED, within the config's term)"""
        return self._call(
            "confirmTrialOfferBooking",
            "POST",
            f"/v1/trial-offers/bookings/{booking_id}/confirm",
            response_type=m.BookingConfirmationResult,
        )

    def redeem_checkin_voucher(self, request: m.CheckinVoucherRedeem) -> m.CheckinVoucherRedeemResult:
        """redeemCheckinVoucher"""
        return self._call(
            "redeemCheckinVoucher",
            "POST",
            "/v1/checkin-vouchers/redeem",
            json_body=request.to_json(),
            response_type=m.CheckinVoucherRedeemResult,
        )
