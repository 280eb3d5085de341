"""Outgoing email: the one way the portal sends mail.

``send_email`` renders the message in the recipient's language right away (the
request's translations and the caller's objects are at hand) and hands plain
strings to a django-tasks task. With ``TASKS_MODE=immediate`` the task runs at
once; with ``TASKS_MODE=database`` ``manage.py db_worker`` sends it later.

Addresses are personal data: nothing here logs them.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

logger = logging.getLogger("portal.notifications")


class EmailDeliveryFailed(Exception):
    """Sending failed; carries the error's class name only (SMTP errors quote addresses)."""


def send_email(
    to: Sequence[str],
    subject: str,
    template: str,
    context: dict[str, Any],
    *,
    language: str,
    reply_to: Sequence[str] | None = None,
):
    """Render ``templates/emails/<template>.txt`` (and ``.html`` if it exists) in ``language`` and queue it.

    ``subject`` may be a lazy translation; it is rendered in ``language`` too.
    Returns the task result (its id lets callers look the delivery up later).
    """
    recipients = [address for address in to if address]
    if not recipients:
        raise ValueError("send_email needs at least one recipient")
    with translation.override(language):
        full_context = {**context, "language": language}
        text_body = render_to_string(f"emails/{template}.txt", full_context)
        try:
            html_body = render_to_string(f"emails/{template}.html", full_context)
        except TemplateDoesNotExist:
            html_body = ""
        rendered_subject = " ".join(str(subject).split())  # header injection: no line breaks
    result = deliver_email.enqueue(
        to=recipients,
        subject=rendered_subject,
        text_body=text_body,
        html_body=html_body,
        reply_to=[address for address in (reply_to or []) if address],
        language=language,
        template=template,
    )
    logger.info("email queued template=%s language=%s recipients=%d", template, language, len(recipients))
    return result


@task()
def deliver_email(
    *,
    to: list[str],
    subject: str,
    text_body: str,
    html_body: str,
    reply_to: list[str],
    language: str,
    template: str,
) -> int:
    """Send one rendered message (every argument is JSON, as the database backend stores them)."""
    message = EmailMultiAlternatives(
        subject=subject,
        body=text_body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        reply_to=reply_to or None,
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
    logger.info("email sent template=%s recipients=%d", template, len(to))
    return sent
