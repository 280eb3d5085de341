"""Plain, translated sentences for upstream errors (one dictionary, like pretix's cart errors).

The raw upstream ``errorMessage`` is logged with its traceId, never shown.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.perfectgym import errors

ERROR_MESSAGES = {
    errors.BadRequest: _("The studio's system did not accept this request. Please check your entries and try again."),
    errors.Unauthorized: _(
        "The portal cannot reach this studio's system right now (its connection is not set up). "
        "Please contact the studio."
    ),
    errors.Forbidden: _("This studio has not enabled this feature in the portal. Please contact the studio."),
    errors.NotFound: _("We could not find that. It may have been removed or changed in the meantime."),
    errors.Conflict: _("Something changed at the same time. Please reload the page and try again."),
    errors.RateLimited: _("The studio's system is very busy right now. Please try again in a minute."),
    errors.OutcomeUnknown: _(
        "The studio's system did not answer in time. We are checking whether your request went through; "
        "please do not send it again yet."
    ),
    errors.Unavailable: _("The studio's system is not reachable right now. Please try again in a few minutes."),
    errors.MalformedResponse: _("The studio's system sent an answer we could not read. Please try again later."),
}


def message_for(error: errors.ApiError) -> str:
    """The sentence for an upstream error: the most specific class wins."""
    for klass in type(error).__mro__:
        if klass in ERROR_MESSAGES:
            return str(ERROR_MESSAGES[klass])
    return str(ERROR_MESSAGES[errors.Unavailable])
