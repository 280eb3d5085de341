from django.urls import path, register_converter

import portal.converters  # noqa: F401  (registers <id:...>, the signed API ids)
from bookings import views


class KindConverter:
    regex = "class|appointment"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(KindConverter, "booking_kind")

urlpatterns = [
    path("s/<slug:slug>/classes/", views.schedule, name="bookings-schedule"),
    path("s/<slug:slug>/classes/occupancy/", views.occupancy, name="bookings-occupancy"),
    path("s/<slug:slug>/classes/<id:slot_id>/book/", views.book_class, name="bookings-book-class"),
    path("s/<slug:slug>/appointments/", views.appointment_types, name="bookings-appointments"),
    path("s/<slug:slug>/appointments/<id:type_id>/", views.appointment_slots, name="bookings-appointment"),
    path("s/<slug:slug>/appointments/<id:type_id>/book/", views.book_appointment, name="bookings-book-appointment"),
    path("s/<slug:slug>/account/bookings/", views.my_bookings, name="bookings-mine"),
    path(
        "s/<slug:slug>/account/bookings/class/<id:booking_id>/cancel/",
        views.cancel_class,
        name="bookings-cancel-class",
    ),
    path(
        "s/<slug:slug>/account/bookings/appointment/<id:booking_id>/cancel/",
        views.cancel_appointment,
        name="bookings-cancel-appointment",
    ),
    path(
        "s/<slug:slug>/account/bookings/<booking_kind:kind>/<id:booking_id>.ics",
        views.booking_ics,
        name="bookings-ics",
    ),
    path("s/<slug:slug>/account/bookings/feed/", views.manage_feed, name="bookings-feed-manage"),
    path("s/<slug:slug>/account/bookings/feed/<str:token>.ics", views.feed, name="bookings-feed"),
]
