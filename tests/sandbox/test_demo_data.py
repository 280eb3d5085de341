"""The demo studio has what a newcomer needs to try every journey, relative to today."""

from __future__ import annotations

from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from portal.models import Studio
from portal.perfectgym import models as m


def test_timetable_has_ten_classes_in_four_categories_with_instructors_and_rooms(demo_client):
    classes = demo_client.all_active_classes()
    assert len(classes) >= 10
    assert len({c.category for c in classes}) >= 4
    slots = demo_client.all_class_slots_for_multiple_classes(days_ahead=6)
    assert slots
    assert all(s.instructors and s.location for s in slots)


def test_slots_are_relative_to_today(demo_client):
    today = timezone.localdate()
    for week_start in (today, today + timedelta(days=7)):
        page = demo_client.all_class_slots_for_multiple_classes(days_ahead=6, slot_window_start_date=week_start)
        assert page, f"no class slots in the week from {week_start}"


def test_appointment_types_and_trial_configs(demo_client):
    assert len(demo_client.all_bookable_appointments()) >= 3
    trials = demo_client.all_bookable_trial_offer_classes() + demo_client.all_bookable_trial_offer_appointments()
    configs = {demo_client.get_trial_offer_config(t.trial_offer_config_id) for t in trials}
    assert len(configs) >= 2
    assert any(c.confirmation_of_booking_term is not None for c in configs)
    assert any(
        c.lead_data_config.telephone_mode == "MANDATORY" and c.lead_data_config.date_of_birth_mode == "MANDATORY"
        for c in configs
    )


def test_members_in_different_contract_states(demo_client):
    def contracts(email: str) -> list[m.ContractData]:
        customer = demo_client.search_customers(m.CustomerSearchRequest(email=email))[0]
        return demo_client.get_contract_data(customer.id)

    assert any(c.contract_status == "ACTIVE" and c.available_cancelation_dates for c in contracts("mia@example.com"))
    assert any(c.cancelation_status == "PENDING_VERIFICATION" for c in contracts("jonas@example.com"))
    lea_contract = contracts("lea@example.com")[0]
    idle = demo_client.get_idle_periods(lea_contract.id)
    assert idle.current_and_upcoming_idle_periods
    assert demo_client.get_contract_cancelation_reason_data()
    config = demo_client.get_idle_period_config(lea_contract.id)
    assert any(r.document_required for r in config.idle_period_reasons)


def test_load_demo_can_run_again(demo_studio, demo_client):
    call_command("load_demo", "--no-admin", verbosity=0)
    call_command("load_demo", "--no-admin", verbosity=0)
    assert Studio.objects.filter(slug="demo").count() == 1
    assert len(demo_client.all_active_classes()) >= 10
