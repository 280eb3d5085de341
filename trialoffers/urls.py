"""The trial offer journey (/s/<slug>/trial/...) and check-in vouchers (/s/<slug>/voucher/)."""

from django.urls import path

import portal.converters  # noqa: F401  (registers <id:...>, the signed API ids)
from trialoffers import views

app_name = "trialoffers"

urlpatterns = [
    path("s/<slug:slug>/trial/", views.offers, name="offers"),
    path("s/<slug:slug>/trial/class/<id:offer_id>/", views.offer, {"kind": "class"}, name="class"),
    path("s/<slug:slug>/trial/appointment/<id:offer_id>/", views.offer, {"kind": "appointment"}, name="appointment"),
    path("s/<slug:slug>/trial/book/", views.register, name="register"),
    path("s/<slug:slug>/trial/book/check/", views.check_field, name="check-field"),
    path("s/<slug:slug>/trial/status/<str:token>/", views.journey_status, name="status"),
    path("s/<slug:slug>/trial/sent/", views.sent, name="sent"),
    path("s/<slug:slug>/trial/done/<str:token>/", views.done, name="done"),
    path("s/<slug:slug>/trial/done/<str:token>/trial.ics", views.calendar, name="calendar"),
    path("s/<slug:slug>/trial/confirm/<str:token>/", views.confirm, name="confirm"),
    path("s/<slug:slug>/voucher/", views.voucher, name="voucher"),
    path("s/<slug:slug>/voucher/<str:token>/", views.voucher_result, name="voucher-result"),
]
