"""Member self-service under /s/<slug>/ (the app's URLs are included at the root).

"/s/<slug>/account/bookings/..." belongs to the bookings app.
"""

from django.urls import path

import portal.converters  # noqa: F401  (registers <id:...>, the signed API ids)
from selfservice.views import amendments, contracts, idle_periods, online_cancelation, sign_in

app_name = "selfservice"

urlpatterns = [
    path("s/<slug:slug>/account/", sign_in.account, name="account"),
    path("s/<slug:slug>/account/sign-in/<str:token>/", sign_in.sign_in_link, name="sign-in-link"),
    path("s/<slug:slug>/account/sign-out/", sign_in.sign_out_view, name="sign-out"),
    path("s/<slug:slug>/account/contracts/<id:contract_id>/cancel/", contracts.cancel_contract, name="cancel-contract"),
    path(
        "s/<slug:slug>/account/contracts/<id:contract_id>/withdraw-cancelation/",
        contracts.withdraw_cancelation,
        name="withdraw-cancelation",
    ),
    path("s/<slug:slug>/account/confirmations/<uuid:key>/", contracts.confirmation, name="confirmation"),
    path(
        "s/<slug:slug>/account/contracts/<id:contract_id>/idle-periods/", idle_periods.idle_periods, name="idle-periods"
    ),
    path(
        "s/<slug:slug>/account/contracts/<id:contract_id>/idle-periods/<id:idle_period_id>/withdraw/",
        idle_periods.withdraw_idle_period,
        name="withdraw-idle-period",
    ),
    path("s/<slug:slug>/account/contact/", amendments.contact, name="contact"),
    path("s/<slug:slug>/account/address/", amendments.address, name="address"),
    path(
        "s/<slug:slug>/account/amendments/<id:amendment_id>/withdraw/",
        amendments.withdraw_amendment,
        name="withdraw-amendment",
    ),
    path("s/<slug:slug>/cancel/", online_cancelation.online_cancelation, name="online-cancelation"),
]
