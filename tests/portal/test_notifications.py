"""Outgoing email: rendered in the recipient's language, sent through a task, addresses never logged."""

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

from portal.notifications import deliver_email, send_email

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


def test_task_arguments_are_json(db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    result = remind("de")
    assert json.loads(json.dumps(result.kwargs)) == result.kwargs
    assert result.args == []
    assert result.task.func is deliver_email.func
    assert mail.outbox == []


def test_database_backend_sends_when_the_worker_runs(transactional_db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    remind("de")
    assert mail.outbox == []  # queued, not sent
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Öffnungszeiten"


def test_addresses_are_never_logged(db, caplog):
    with caplog.at_level(logging.DEBUG):
        remind("de", reply_to=["hallo@studio.example"])
    assert len(mail.outbox) == 1
    assert caplog.records
    assert "anna@example.org" not in caplog.text
    assert "hallo@studio.example" not in caplog.text


def test_smtp_failure_does_not_leak_addresses(db, settings, caplog):
    settings.EMAIL_BACKEND = "tests.portal.test_notifications.RefusingBackend"
    with caplog.at_level(logging.DEBUG):
        result = remind("en")
    assert result.status == "FAILED"
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
