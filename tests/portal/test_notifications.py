"""Outgoing email: rendered in the recipient's language, tasks carry ids only, addresses never logged."""

from __future__ import annotations

import datetime
import json
import logging
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.management import call_command
from django.utils.translation import gettext_lazy

from portal import notifications
from portal.notifications import EmailDeliveryFailed, notify, send_email, send_message

TEST_TEMPLATES = Path(__file__).parent / "templates"
MONDAY = datetime.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _email_settings(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEFAULT_FROM_EMAIL = "portal@studio.example"
    engine = {**django_settings.TEMPLATES[0], "DIRS": [*django_settings.TEMPLATES[0]["DIRS"], TEST_TEMPLATES]}
    settings.TEMPLATES = [engine]


def remind(language: str, **kwargs):
    return send_email(
        ["anna@example.org"],
        gettext_lazy("Opening hours"),
        "opening_reminder",
        {"name": "Anna", "day": MONDAY},
        language=language,
        **kwargs,
    )


def test_german_email_is_sent_at_once_with_the_immediate_backend(db):
    remind("de", reply_to=["hallo@studio.example"])
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["anna@example.org"]
    assert message.reply_to == ["hallo@studio.example"]
    assert message.from_email == "portal@studio.example"
    assert message.subject == "Öffnungszeiten"
    assert "Anna: Montag" in message.body
    assert "Studioportal" in message.body  # the shared signature, translated
    assert message.extra_headers["Content-Language"] == "de"
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert '<html lang="de">' in html and "<p>Anna: Montag</p>" in html


def test_english_email(db):
    remind("en")
    message = mail.outbox[0]
    assert message.subject == "Opening hours"
    assert "Anna: Monday" in message.body
    assert "Studio portal" in message.body


def test_language_of_the_request_is_left_alone(db):
    from django.utils import translation

    with translation.override("en"):
        remind("de")
        assert translation.get_language() == "en"
    assert mail.outbox[0].subject == "Öffnungszeiten"


def test_text_only_template_is_not_html_escaped(db):
    send_email(["a@example.org"], "Hi\r\nBcc: evil@example.org", "plain_only", {"name": "Ben"}, language="en")
    message = mail.outbox[0]
    assert "Ben & co" in message.body
    assert message.alternatives == []
    assert "\n" not in message.subject and "\r" not in message.subject


def _reminder(ids, language):
    """A message handler as apps register them: looks its data up by id (here: made up), sends now."""
    return send_email(
        [f"member{ids['customer']}@example.org"],
        gettext_lazy("Opening hours"),
        "opening_reminder",
        {"name": "Anna", "day": MONDAY},
        language=language,
    )


@pytest.fixture
def reminder_kind():
    notifications.register("test.reminder", _reminder)
    yield "test.reminder"
    notifications._handlers.pop("test.reminder", None)


def test_task_arguments_are_ids_only(db, settings, reminder_kind):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    result = notify(reminder_kind, {"customer": 7}, language="de")
    assert result.kwargs == {"kind": "test.reminder", "ids": {"customer": 7}, "language": "de"}
    assert result.args == []
    assert result.task.func is send_message.func
    assert mail.outbox == []


def test_ids_must_be_ids(db, reminder_kind):
    with pytest.raises(TypeError):
        notify(reminder_kind, {"context": {"name": "Anna"}}, language="de")
    with pytest.raises(ValueError):
        notify(reminder_kind, {"body": "x" * 500}, language="de")
    with pytest.raises(notifications.UnknownMessageKind):
        notify("nobody.registered", {}, language="de")


def test_database_backend_sends_when_the_worker_runs(transactional_db, settings, reminder_kind):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    notify(reminder_kind, {"customer": 7}, language="de")
    assert mail.outbox == []  # queued, not sent
    stored = json.dumps(list(DBTaskResult.objects.values("args_kwargs")))
    assert "member7@example.org" not in stored and "Anna" not in stored
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Öffnungszeiten" and mail.outbox[0].to == ["member7@example.org"]
    assert DBTaskResult.objects.get().return_value == 1  # a count, no content


def test_addresses_are_never_logged(db, caplog):
    with caplog.at_level(logging.DEBUG):
        remind("de", reply_to=["hallo@studio.example"])
    assert len(mail.outbox) == 1
    assert caplog.records
    assert "anna@example.org" not in caplog.text
    assert "hallo@studio.example" not in caplog.text


def test_smtp_failure_does_not_leak_addresses(db, settings, caplog):
    settings.EMAIL_BACKEND = "tests.portal.test_notifications.RefusingBackend"
    with caplog.at_level(logging.DEBUG), pytest.raises(EmailDeliveryFailed) as failure:
        remind("en")
    assert "anna@example.org" not in str(failure.value) and failure.value.__cause__ is None
    assert "anna@example.org" not in caplog.text
    assert "SMTPRecipientsRefused" in caplog.text


def test_needs_a_recipient(db):
    with pytest.raises(ValueError):
        send_email([], "Hi", "plain_only", {}, language="de")


class RefusingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        import smtplib

        raise smtplib.SMTPRecipientsRefused(dict.fromkeys(messages[0].to, (550, b"no such user")))
