"""Every status value the app meets has a sentence, in German and English; upstream messages are never shown."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from portal.perfectgym import errors
from portal.perfectgym import models as m
from selfservice import texts
from selfservice.display import money, payment_frequency
from tests.portal.pofile import parse_po

LOCALE = Path(settings.BASE_DIR) / "selfservice" / "locale"


def literal_values(annotation) -> set:
    values = set()
    for arg in typing.get_args(annotation):
        if arg is type(None):
            values.add(None)
        else:
            values |= literal_values(arg) if typing.get_args(arg) else {arg}
    return values


def field_values(model, name: str) -> set:
    return literal_values(model.model_fields[name].annotation)


@pytest.mark.parametrize(
    ("dictionary", "values"),
    [
        (texts.CONTRACT_STATUS, field_values(m.ContractData, "contract_status")),
        (texts.CANCELATION_STATUS, field_values(m.ContractData, "cancelation_status") | {None}),
        (texts.CUSTOMER_STATUS, field_values(m.Customer, "status")),
        (texts.IDLE_PERIOD_STATE, field_values(m.IdlePeriod, "state")),
        (texts.IDLE_PERIOD_VALIDATION, literal_values(m.IdlePeriodValidationStatus)),
        (texts.AMENDMENT_CONFIGURATION, literal_values(m.AmendmentConfigurationStatus)),
        (texts.PAYMENT_FREQUENCY_TYPE, field_values(m.ContractPaymentFrequency, "type")),
        (texts.TEMPORAL_UNIT, literal_values(m.TemporalUnit)),
    ],
)
def test_every_enum_value_has_a_sentence_in_both_languages(dictionary, values):
    assert set(dictionary) == values
    for language in ("de", "en"):
        with translation.override(language):
            sentences = [str(dictionary[value]) for value in values]
        assert all(sentences)
    with translation.override("de"):
        german = {str(dictionary[value]) for value in values}
    with translation.override("en"):
        english = {str(dictionary[value]) for value in values}
    assert german.isdisjoint(english), "a German sentence is missing"


@pytest.mark.parametrize("code", sorted(texts.ERROR_CODES))
def test_known_error_codes_become_their_sentence_never_the_raw_message(code):
    error = errors.BadRequest("op", status=400, error_code=code, error_message="RAW UPSTREAM TEXT")
    with translation.override("de"):
        sentence = texts.error_sentence(error)
    assert sentence and "RAW" not in sentence and code not in sentence


@pytest.mark.parametrize(
    "error_class",
    [
        errors.BadRequest,
        errors.Unauthorized,
        errors.Forbidden,
        errors.NotFound,
        errors.Conflict,
        errors.RateLimited,
        errors.Unavailable,
        errors.OutcomeUnknown,
        errors.MalformedResponse,
    ],
)
def test_every_error_class_has_a_plain_sentence(error_class):
    error = error_class("op", status=500, error_code="unknown.code", error_message="RAW UPSTREAM TEXT")
    with translation.override("de"):
        sentence = texts.error_sentence(error)
    assert sentence and "RAW" not in sentence


def test_idle_period_error_codes_follow_the_statuses():
    assert texts.idle_error_code("IDLEPERIOD_OVERLAPPING") == "errormessage.idleperiod.overlapping"
    assert texts.idle_error_code("IDLEPERIOD_DEADLINE_VIOLATED") == "errormessage.idleperiod.deadline.violated"


def test_money_and_terms_in_the_studios_locale():
    frequency = m.ContractPaymentFrequency(type="RECURRING", term=m.Term(value=3, unit="MONTH"))
    with translation.override("de"):
        assert money(m.Money(amount=1234.5, currency="EUR")) == "1.234,50\u00a0€"
        assert payment_frequency(frequency) == "alle 3 Monate"
        assert texts.per_term(1, "WEEK") == "pro Woche"
    with translation.override("en"):
        assert money(m.Money(amount=1234.5, currency="EUR")) == "€1,234.50"
        assert money(m.Money(amount=10, currency="CHF")) == "10.00\u00a0CHF"
        assert payment_frequency(frequency) == "every 3 months"
        assert payment_frequency(m.ContractPaymentFrequency(type="FREE")) == "free of charge"


def catalog(language):
    return [e for e in parse_po(LOCALE / language / "LC_MESSAGES" / "django.po") if not e.is_header]


def test_the_legal_button_texts():
    entries = {e.msgid: e.msgstr.get(0) for e in catalog("de")}
    assert entries["Cancel now"] == "jetzt kündigen"
    assert entries["Cancel contracts here"] == "Verträge hier kündigen"
