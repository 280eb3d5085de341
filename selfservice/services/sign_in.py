"""Signing in by e-mailed link: asking for a link, using it, signing out.

The link itself is sent by the worker (``selfservice.services.emails.send_sign_in_link``).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from portal import audit
from portal.models import Studio
from portal.notifications import failed_with, notify
from portal.perfectgym import errors
from selfservice.models import SignInRequest, SignInToken
from selfservice.services.common import Unavailable, actor
from selfservice.texts import error_sentence

# Message kind (``portal.notifications``), registered in ``SelfserviceConfig.ready``.
SIGN_IN_LINK = "selfservice.sign_in_link"


def request_sign_in_link(studio: Studio, email: str, *, origin: str, next_url: str, language: str) -> None:
    """Queue the sign-in link: the same work for every address (one row, one task, no upstream call).

    The worker decides: exactly one customer with this address gets a link, anyone else nothing.
    The caller shows the same page either way. With immediate tasks the worker has already run;
    when its customer search failed, this raises ``Unavailable`` with the sentence for the page.
    ``origin`` is the site's address (scheme and host) the link starts with; the link leads on to
    ``next_url`` unless that is the account page anyway.
    """
    home = reverse("selfservice:account", kwargs={"slug": studio.slug})
    query = f"?{urlencode({'next': next_url})}" if next_url != home else ""
    request = SignInRequest.objects.create(studio=studio, email=email.strip(), link_base=origin, link_query=query)
    failed = failed_with(notify(SIGN_IN_LINK, {"request": request.pk}, language=language), errors.ApiError)
    if failed is not None and issubclass(failed, errors.ApiError):
        raise Unavailable(error_sentence(failed("searchCustomers")))


def sign_in_token_is_usable(studio: Studio, token: str) -> bool:
    return SignInToken.find_usable(studio, token) is not None


def redeem_sign_in_token(studio: Studio, token: str) -> int | None:
    customer_id = SignInToken.redeem(studio, token)
    audit.record(
        studio,
        "sign_in",
        actor=actor(customer_id) if customer_id else "anonymous",
        outcome="done" if customer_id else "link_invalid",
        details={"customer_id": customer_id} if customer_id else {},
    )
    return customer_id


def record_sign_out(studio: Studio, customer_id: int) -> None:
    """Signing out also ends every sign-in link still waiting in the member's mailbox."""
    SignInToken.revoke_all(studio, customer_id)
    audit.record(studio, "sign_out", actor=actor(customer_id), outcome="done", details={})
