"""Member self-service under /s/<slug>/ (the app's URLs are included at the root).

"/s/<slug>/account/bookings/..." belongs to the bookings app.
"""

from django.urls import path

import portal.converters  # noqa: F401  (registers <id:...>, the signed API ids)
from selfservice import views

app_name = "selfservice"

urlpatterns = [
    path("s/<slug:slug>/account/", views.account, name="account"),
    path("s/<slug:slug>/account/sign-in/<str:token>/", views.sign_in_link, name="sign-in-link"),
    path("s/<slug:slug>/account/sign-out/", views.sign_out_view, name="sign-out"),
    path("s/<slug:slug>/account/contracts/<id:contract_id>/cancel/", views.cancel_contract, name="cancel-contract"),
    path(
        "s/<slug:slug>/account/contracts/<id:contract_id>/withdraw-cancelation/",
        views.withdraw_cancelation,
        name="withdraw-cancelation",
    ),
    path("s/<slug:slug>/account/confirmations/<uuid:key>/", views.confirmation, name="confirmation"),
    path("s/<slug:slug>/account/contracts/<id:contract_id>/idle-periods/", views.idle_periods, name="idle-periods"),
    path(
        "s/<slug:slug>/account/contracts/<id:contract_id>/idle-periods/<id:idle_period_id>/withdraw/",
        views.withdraw_idle_period,
        name="withdraw-idle-period",
    ),
    path("s/<slug:slug>/account/contact/", views.contact, name="contact"),
    path("s/<slug:slug>/account/address/", views.address, name="address"),
    path(
        "s/<slug:slug>/account/amendments/<id:amendment_id>/withdraw/",
        views.withdraw_amendment,
        name="withdraw-amendment",
    ),
    path("s/<slug:slug>/cancel/", views.online_cancelation, name="online-cancelation"),
]
