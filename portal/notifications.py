"""Outgoing email: the one way the portal sends mail.

A request never hands message content to the task queue. It calls ``notify(kind, ids,
language=...)``, which enqueues the one task ``send_message`` with ids only (row ids,
customer ids, a template name, a base URL): nothing in a task row is a secret or
personal data, so the task table may be kept, shown and pruned like a log.

The worker runs the *message handler* registered for ``kind``: it looks the data up by
id (local rows, the member's address from the API), builds what must only exist at
sending time (a sign-in token) and sends with ``send_email``. Each app registers its
handlers in its ``AppConfig.ready``; this module imports no app.

With ``TASKS_MODE=immediate`` the task runs at once, inside the request; with
``TASKS_MODE=database`` ``manage.py db_worker`` runs it later. Data that exists nowhere
but in the request (an address typed into the sign-in form) is kept by the app in a
short-lived row of its own, which the handler deletes after sending.

Addresses are personal data: nothing here logs them.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

logger = logging.getLogger("portal.notifications")

Ids = dict[str, int | str | None]
# A handler sends the message(s) of one kind and returns how many went out.
Handler = Callable[[Ids, str], int]

_handlers: dict[str, Handler] = {}


class EmailDeliveryFailed(Exception):
    """Sending failed; carries the error's class name only (SMTP errors quote addresses)."""


class UnknownMessageKind(Exception):
    """No handler is registered for this kind (an app is missing from INSTALLED_APPS)."""


def register(kind: str, handler: Handler) -> None:
    """Called from an app's ``AppConfig.ready``: ``handler(ids, language)`` sends messages of ``kind``."""
    _handlers[kind] = handler


def registered_kinds() -> list[str]:
    return sorted(_handlers)


def _check_ids(ids: Ids) -> Ids:
    # Ids only: a long string here would be content (an address, a link), which must not reach the task table.
    for name, value in ids.items():
        if value is not None and not isinstance(value, (int, str)):
            raise TypeError(f"notify ids must be int or str: {name}")
        if isinstance(value, str) and len(value) > 200:
            raise ValueError(f"notify ids must be short: {name}")
    return ids


def notify(kind: str, ids: Ids, *, language: str):
    """Queue one message of ``kind`` for the worker; returns the task result."""
    if kind not in _handlers:
        raise UnknownMessageKind(kind)
    result = send_message.enqueue(kind=kind, ids=_check_ids(dict(ids)), language=language)
    logger.info("message queued kind=%s language=%s", kind, language)
    return result


@task()
def send_message(*, kind: str, ids: Ids, language: str) -> int:
    """The worker's side of ``notify``: run the kind's handler (its return value is a count, no content)."""
    try:
        handler = _handlers[kind]
    except KeyError:
        raise UnknownMessageKind(kind) from None
    with translation.override(language):
        sent = handler(ids, language)
    logger.info("message handled kind=%s sent=%d", kind, sent)
    return sent


def person_language(preferred: Any, studio: Any, fallback: str) -> str:
    """The language to write to one person in: their preferred language from the API (a ``Language`` with
    ``language_code``) when the studio speaks it, else ``fallback`` (the language of the page they used)."""
    code = (getattr(preferred, "language_code", None) or "").lower()[:2]
    return code if code in getattr(studio, "enabled_languages", ()) else fallback


def send_email(
    to: Sequence[str],
    subject: str,
    template: str,
    context: dict[str, Any],
    *,
    language: str,
    reply_to: Sequence[str] | None = None,
) -> int:
    """Render ``templates/emails/<template>.txt`` (and ``.html`` if it exists) in ``language`` and send it now.

    For message handlers (they run in the worker). ``subject`` may be a lazy translation; it is
    rendered in ``language`` too. Raises ``EmailDeliveryFailed`` (without addresses) when sending fails.
    """
    recipients = [address for address in to if address]
    if not recipients:
        raise ValueError("send_email needs at least one recipient")
    with translation.override(language):
        full_context = {**context, "language": language}
        text_body = render_to_string(f"emails/{template}.txt", full_context)
        try:
            html_body: str = render_to_string(f"emails/{template}.html", full_context)
        except TemplateDoesNotExist:
            html_body = ""
        rendered_subject = " ".join(str(subject).split())  # header injection: no line breaks
    message = EmailMultiAlternatives(
        subject=rendered_subject,
        body=text_body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
        reply_to=[address for address in (reply_to or []) if address] or None,
        headers={"Content-Language": language},
    )
    if html_body:
        message.attach_alternative(html_body, "text/html")
    try:
        sent = message.send()
    except (smtplib.SMTPException, OSError) as exc:
        logger.warning("email failed template=%s error=%s", template, type(exc).__name__)
        # "from None": the original exception's text may contain addresses and would be logged with the traceback.
        raise EmailDeliveryFailed(type(exc).__name__) from None
    logger.info("email sent template=%s recipients=%d", template, len(recipients))
    return sent


def failed(result: object) -> bool:
    """True when a queued task has already failed (only the immediate backend knows this in the request)."""
    return getattr(result, "status", None) == "FAILED"


def failed_with(result: object, exception: type[BaseException]) -> type[BaseException] | None:
    """The class of the error an already-failed task raised, when it is an ``exception`` (immediate backend)."""
    if not failed(result):
        return None
    for error in getattr(result, "errors", []):
        try:
            klass = error.exception_class
        except (ImportError, AttributeError):
            continue
        if issubclass(klass, exception):
            return klass
    return None
