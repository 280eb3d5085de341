"""Classes: the class list, slots, and class bookings."""

from __future__ import annotations

from datetime import date

from portal.perfectgym import models as m
from portal.perfectgym.client.transport import MAX_SLICE, Transport, slice_params, slot_window_params

OPERATIONS: dict[str, tuple[str, str]] = {
    "getActiveClasses": ("GET", "/v1/classes"),
    "getClassById": ("GET", "/v1/classes/{classId}"),
    "getClassSlots": ("GET", "/v1/classes/{classId}/slots"),
    "getClassSlotsForMultipleClasses": ("GET", "/v1/classes/slots"),
    "getClassSlotById": ("GET", "/v1/classes/{classId}/slots/{classSlotId}"),
    "validateClassSlot": ("POST", "/v1/classes/booking/validate"),
    "bookClassSlot": ("POST", "/v1/classes/booking/book"),
    "getClassBookingById": ("GET", "/v1/classes/booking/{bookingId}"),
    "cancelClassSlotById": ("DELETE", "/v1/classes/booking/{bookingId}"),
    "getClassBookingsByCustomerId": ("GET", "/v1/classes/booking"),
}


class ClassesApi(Transport):
    def get_active_classes(self, *, offset: str = "0", slice_size: int = 50) -> m.Sliced[m.Class]:
        """getActiveClasses"""
        return self._call(
            "getActiveClasses",
            "GET",
            "/v1/classes",
            params=slice_params(offset, slice_size),
            response_type=m.Sliced[m.Class],
        )

    def all_active_classes(self) -> list[m.Class]:
        return self._all(lambda offset: self.get_active_classes(offset=offset, slice_size=MAX_SLICE))

    def get_class_by_id(self, class_id: int) -> m.Class:
        """getClassById"""
        return self._call("getClassById", "GET", f"/v1/classes/{class_id}", response_type=m.Class)

    def get_class_slots(self, class_id: int, *, offset: str = "0", slice_size: int = 50) -> m.Sliced[m.ClassSlot]:
        """getClassSlots"""
        return self._call(
            "getClassSlots",
            "GET",
            f"/v1/classes/{class_id}/slots",
            params=slice_params(offset, slice_size),
            response_type=m.Sliced[m.ClassSlot],
        )

    def all_class_slots(self, class_id: int) -> list[m.ClassSlot]:
        return self._all(lambda offset: self.get_class_slots(class_id, offset=offset, slice_size=MAX_SLICE))

    def get_class_slots_for_multiple_classes(
        self,
        *,
        days_ahead: int | None = None,
        slot_window_start_date: date | None = None,
        offset: str = "0",
        slice_size: int = 50,
    ) -> m.Sliced[m.ClassSlot]:
        """getClassSlotsForMultipleClasses (``days_ahead`` 0..6, upstream default 1)"""
        params = slot_window_params(None, days_ahead, slot_window_start_date, minimum_days=0)
        return self._call(
            "getClassSlotsForMultipleClasses",
            "GET",
            "/v1/classes/slots",
            params={**params, **slice_params(offset, slice_size)},
            response_type=m.Sliced[m.ClassSlot],
        )

    def all_class_slots_for_multiple_classes(
        self, *, days_ahead: int | None = None, slot_window_start_date: date | None = None
    ) -> list[m.ClassSlot]:
        return self._all(
            lambda offset: self.get_class_slots_for_multiple_classes(
                days_ahead=days_ahead,
                slot_window_start_date=slot_window_start_date,
                offset=offset,
                slice_size=MAX_SLICE,
            )
        )

    def get_class_slot_by_id(self, class_id: int, class_slot_id: int) -> m.ClassSlot:
        """getClassSlotById"""
        return self._call(
            "getClassSlotById", "GET", f"/v1/classes/{class_id}/slots/{class_slot_id}", response_type=m.ClassSlot
        )

    def validate_class_slot(self, request: m.ClassSlotBookingRequest) -> m.ClassSlotBookingValidationResult:
        """validateClassSlot"""
        return self._call(
            "validateClassSlot",
            "POST",
            "/v1/classes/booking/validate",
            json_body=request.to_json(),
            response_type=m.ClassSlotBookingValidationResult,
        )

    def book_class_slot(self, request: m.ClassSlotBookingRequest) -> m.ClassSlotBookingResult:
        """bookClassSlot"""
        return self._call(
            "bookClassSlot",
            "POST",
            "/v1/classes/booking/book",
            json_body=request.to_json(),
            response_type=m.ClassSlotBookingResult,
        )

    def get_class_booking_by_id(self, booking_id: int) -> m.ClassSlotBookingResult:
        """getClassBookingById"""
        return self._call(
            "getClassBookingById", "GET", f"/v1/classes/booking/{booking_id}", response_type=m.ClassSlotBookingResult
        )

    def cancel_class_slot_by_id(self, booking_id: int) -> None:
        """cancelClassSlotById (cancels a class booking; the answer has no body)"""
        self._call("cancelClassSlotById", "DELETE", f"/v1/classes/booking/{booking_id}")

    def get_class_bookings_by_customer_id(self, customer_id: int) -> list[m.ClassSlotBookingResult]:
        """getClassBookingsByCustomerId (bookings within +/- 2 weeks)"""
        return self._call(
            "getClassBookingsByCustomerId",
            "GET",
            "/v1/classes/booking",
            params={"customerId": customer_id},
            response_type=list[m.ClassSlotBookingResult],
        )
