"""The trial offer journey (/s/<slug>/trial/...) and check-in vouchers (/s/<slug>/voucher/)."""

from django.urls import path

import portal.converters  # noqa: F401  (registers <id:...>, the signed API ids)
from trialoffers.views import journey, vouchers

app_name = "trialoffers"

urlpatterns = [
    path("s/<slug:slug>/trial/", journey.offers, name="offers"),
    path("s/<slug:slug>/trial/class/<id:offer_id>/", journey.offer, {"kind": "class"}, name="class"),
    path("s/<slug:slug>/trial/appointment/<id:offer_id>/", journey.offer, {"kind": "appointment"}, name="appointment"),
    path("s/<slug:slug>/trial/book/", journey.register, name="register"),
    path("s/<slug:slug>/trial/book/check/", journey.check_field, name="check-field"),
    path("s/<slug:slug>/trial/status/<str:token>/", journey.journey_status, name="status"),
    path("s/<slug:slug>/trial/sent/", journey.sent, name="sent"),
    path("s/<slug:slug>/trial/done/<str:token>/", journey.done, name="done"),
    path("s/<slug:slug>/trial/done/<str:token>/trial.ics", journey.calendar, name="calendar"),
    path("s/<slug:slug>/trial/confirm/<str:token>/", journey.confirm, name="confirm"),
    path("s/<slug:slug>/voucher/", vouchers.voucher, name="voucher"),
    path("s/<slug:slug>/voucher/<str:token>/", vouchers.voucher_result, name="voucher-result"),
]
