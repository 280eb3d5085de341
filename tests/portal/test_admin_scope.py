"""Staff of one studio see and change only that studio's records in admin; superusers see everything.

The matrix runs over every ModelAdmin registered in the project (``admin.site._registry``), so a new
admin is covered the day it is registered: it must be studio-scoped or superuser-only, and a scoped
one needs a row maker below.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable
from datetime import date

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db import models
from django.test import Client, RequestFactory
from django.urls import reverse

from portal.admin_scope import StudioScopedAdmin, SuperuserOnlyAdmin
from portal.models import AuditEntry, Studio
from sandbox.models import SandboxObject
from selfservice.models import OnlineCancelation
from tests.portal.test_admin import form_data
from trialoffers.models import FunnelWeek, Lead, TrialBooking, VoucherRedemption

# Django's and libraries' own admins: users, groups and login lockouts belong to no studio. Studio staff
# must not get permissions on them (a user who may change users can make themselves superuser).
NOT_STUDIO_ADMINS = {"auth.User", "auth.Group", "axes.AccessAttempt", "axes.AccessLog", "axes.AccessFailureLog"}
PROJECT_APP_LABELS = ("portal", "sandbox", "bookings", "trialoffers", "selfservice", "django_tasks_database")
RIVAL_NAME = "Rival Gym Beta"
RIVAL_MARKER = "Rivalmarker"
OWN_MARKER = "Ownmarker"


def _lead(studio: Studio, marker: str) -> Lead:
    lead = Lead.objects.create(
        studio=studio,
        journey=uuid.uuid4().hex,
        offer_kind="class",
        offer_id=1,
        config_id=1,
        offer_title=f"{marker} Boxing",
        first_name=marker,
        email=f"{marker.lower()}@example.org",
    )
    TrialBooking.objects.create(
        lead=lead,
        slot_key=uuid.uuid4().hex,
        kind="class",
        offer_id=1,
        offer_title=f"{marker} Boxing",
        starts_at="2026-12-10T10:00:00Z",
        ends_at="2026-12-10T11:00:00Z",
    )
    return lead


def _cancelation(studio: Studio, marker: str) -> OnlineCancelation:
    return OnlineCancelation.objects.create(
        studio=studio,
        nonce=uuid.uuid4().hex,
        kind="ordinary",
        first_name=marker,
        last_name=marker,
        date_of_birth=date(1990, 1, 1),
        email=f"{marker.lower()}@example.org",
        contract_identifier=marker,
    )


# One row per scoped model, in a given studio, carrying ``marker`` in a text field where it has one.
MAKERS: dict[str, Callable[[Studio, str], models.Model]] = {
    "portal.Studio": lambda studio, marker: studio,
    "portal.AuditEntry": lambda studio, marker: AuditEntry.objects.create(
        studio=studio, actor=f"customer:{marker}", action="cancel_contract", outcome="done"
    ),
    "sandbox.SandboxObject": lambda studio, marker: SandboxObject.objects.create(
        studio=studio, kind=marker, data={"id": 1}
    ),
    "trialoffers.Lead": _lead,
    "trialoffers.FunnelWeek": lambda studio, marker: FunnelWeek.objects.create(
        studio=studio, week_start=date(2026, 11, 30), offers_viewed=3
    ),
    "trialoffers.VoucherRedemption": lambda studio, marker: VoucherRedemption.objects.create(
        studio=studio, nonce=uuid.uuid4().hex, code_hint=marker[:8]
    ),
    "selfservice.OnlineCancelation": _cancelation,
}


def project_admins() -> dict[str, admin.ModelAdmin]:
    return {
        model._meta.label: model_admin
        for model, model_admin in admin.site._registry.items()
        if model._meta.label not in NOT_STUDIO_ADMINS
    }


SCOPED = sorted(label for label, a in project_admins().items() if isinstance(a, StudioScopedAdmin))
SUPERUSER_ONLY = sorted(label for label, a in project_admins().items() if isinstance(a, SuperuserOnlyAdmin))


def url(label: str, view: str, *args: object) -> str:
    app_label, model_name = label.lower().split(".")
    return reverse(f"admin:{app_label}_{model_name}_{view}", args=args)


@pytest.fixture
def rival(db) -> Studio:
    return Studio.objects.create(name=RIVAL_NAME, slug="rival")


@pytest.fixture
def rows(demo_studio, rival) -> dict[str, tuple[models.Model, models.Model]]:
    """Per scoped model: (a row of the demo studio, a row of the rival studio)."""
    return {label: (MAKERS[label](demo_studio, OWN_MARKER), MAKERS[label](rival, RIVAL_MARKER)) for label in SCOPED}


@pytest.fixture
def alice(django_user_model, demo_studio):
    """Staff of the demo studio only, with every permission of the project's apps."""
    user = django_user_model.objects.create_user("alice", password="unused-password", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=PROJECT_APP_LABELS))
    demo_studio.staff.add(user)
    return user


@pytest.fixture
def alice_client(alice) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(alice)
    return client


@pytest.fixture
def superuser_client(admin_client) -> Client:
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return admin_client


def refused(response) -> bool:
    """Not shown: 403, 404, or Django's "does not exist" redirect to the admin index."""
    if response.status_code == 302:
        return response["Location"] == reverse("admin:index")
    return response.status_code in (403, 404)


def still_there(obj: models.Model) -> bool:
    return type(obj)._default_manager.filter(pk=obj.pk).exists()


# --- Coverage: every admin of the project is scoped ---------------------------------------
def test_every_project_admin_is_scoped_or_superuser_only():
    for label, model_admin in project_admins().items():
        assert isinstance(model_admin, StudioScopedAdmin | SuperuserOnlyAdmin), label
    assert set(SCOPED) == set(MAKERS), "a scoped admin needs a row maker in MAKERS"
    assert "django_tasks_database.DBTaskResult" in SUPERUSER_ONLY


# --- The ownership matrix ---------------------------------------------------------------
@pytest.mark.parametrize("label", SCOPED)
def test_changelist_shows_only_the_users_studio(alice_client, rows, label):
    own, rivals = rows[label]
    response = alice_client.get(url(label, "changelist"))
    assert response.status_code == 200
    shown = response.context["cl"].queryset
    assert shown.filter(pk=own.pk).exists()
    assert not shown.filter(pk=rivals.pk).exists()
    html = response.content.decode()
    assert RIVAL_NAME not in html  # not even as a filter choice
    assert RIVAL_MARKER not in html


@pytest.mark.parametrize("label", SCOPED)
def test_search_and_filters_do_not_reach_another_studio(alice_client, rows, rival, label):
    _, rivals = rows[label]
    # An admin without search fields or a studio filter answers with all the user's rows, or ?e=1 (302).
    for query in ({"q": RIVAL_MARKER}, {"studio__id__exact": rival.pk}):
        response = alice_client.get(url(label, "changelist"), query)
        if response.status_code == 200:
            assert not response.context["cl"].queryset.filter(pk=rivals.pk).exists(), query


@pytest.mark.parametrize("label", SCOPED)
def test_own_studios_rows_open(alice_client, rows, label):
    own, _ = rows[label]
    response = alice_client.get(url(label, "change", own.pk))
    assert response.status_code == 200
    assert response.context["original"] == own


@pytest.mark.parametrize("label", SCOPED)
@pytest.mark.parametrize("view", ["change", "history", "delete"])
def test_another_studios_row_is_not_shown(alice_client, rows, label, view):
    _, rivals = rows[label]
    response = alice_client.get(url(label, view, rivals.pk))
    assert refused(response), response.status_code
    assert RIVAL_MARKER not in response.content.decode()


@pytest.mark.parametrize("label", SCOPED)
def test_another_studios_row_cannot_be_changed_or_deleted(alice_client, rows, label):
    _, rivals = rows[label]
    assert refused(alice_client.post(url(label, "delete", rivals.pk), {"post": "yes"}))
    assert refused(alice_client.post(url(label, "change", rivals.pk), {"name": "Taken over", "_save": "Save"}))
    assert still_there(rivals)
    rivals.refresh_from_db()
    assert str(getattr(rivals, "name", "")) != "Taken over"


@pytest.mark.parametrize("label", SCOPED)
def test_actions_leave_another_studios_rows_alone(alice_client, alice, rows, label):
    _, rivals = rows[label]
    model_admin = project_admins()[label]
    request = RequestFactory().get("/")
    request.user = alice
    names = list(model_admin.get_actions(request))
    for name in names:
        response = alice_client.post(
            url(label, "changelist"), {"action": name, "_selected_action": [rivals.pk], "post": "yes"}
        )
        assert response.status_code in (200, 302), name
        assert RIVAL_MARKER not in response.content.decode(), name
        if response.get("Content-Type", "").startswith("text/csv"):
            assert len(list(csv.reader(io.StringIO(response.content.decode())))) == 1  # the header only
    assert still_there(rivals)


@pytest.mark.parametrize("label", SCOPED)
def test_foreign_key_choices_are_the_users_studios(alice, rows, demo_studio, rival, label):
    model_admin = project_admins()[label]
    request = RequestFactory().get("/")
    request.user = alice
    for field in model_admin.model._meta.get_fields():
        if isinstance(field, models.ForeignKey) and field.related_model is Studio:
            choices = model_admin.formfield_for_foreignkey(field, request).queryset
            assert list(choices) == [demo_studio], field.name


@pytest.mark.parametrize("label", SCOPED)
def test_superuser_sees_every_studio(superuser_client, rows, label):
    own, rivals = rows[label]
    response = superuser_client.get(url(label, "changelist"))
    shown = response.context["cl"].queryset
    assert shown.filter(pk=own.pk).exists() and shown.filter(pk=rivals.pk).exists()
    assert superuser_client.get(url(label, "change", rivals.pk)).status_code == 200


@pytest.mark.parametrize("label", SUPERUSER_ONLY)
def test_rows_of_no_studio_are_for_superusers_only(alice_client, superuser_client, label):
    assert alice_client.get(url(label, "changelist")).status_code == 403
    assert superuser_client.get(url(label, "changelist")).status_code == 200
    app_label = label.split(".")[0]
    assert alice_client.get(reverse("admin:app_list", args=[app_label])).status_code == 404


# --- Exports --------------------------------------------------------------------------------
@pytest.mark.parametrize(("label", "action"), [("trialoffers.Lead", "export_csv"), ("portal.AuditEntry", "export_csv")])
def test_export_of_everything_holds_only_the_users_studio(alice_client, superuser_client, rows, label, action):
    everything = {"action": action, "select_across": "1", "_selected_action": [rows[label][0].pk]}
    own_export = alice_client.post(url(label, "changelist"), everything).content.decode()
    assert OWN_MARKER in own_export and RIVAL_MARKER not in own_export
    full_export = superuser_client.post(url(label, "changelist"), everything).content.decode()
    assert OWN_MARKER in full_export and RIVAL_MARKER in full_export


# --- The studio page's own views and who belongs to a studio --------------------------------
def test_studio_pages_of_another_studio_refuse(alice_client, demo_studio, rival, monkeypatch):
    called = []
    monkeypatch.setattr("portal.admin.test_connection", lambda studio: called.append(studio))
    assert alice_client.get(reverse("admin:portal_studio_embed", args=[rival.pk])).status_code == 404
    assert alice_client.post(reverse("admin:portal_studio_test_connection", args=[rival.pk])).status_code == 404
    assert called == []
    assert alice_client.get(reverse("admin:portal_studio_embed", args=[demo_studio.pk])).status_code == 200


def test_staff_cannot_add_or_delete_studios(alice_client, demo_studio):
    assert alice_client.get(reverse("admin:portal_studio_add")).status_code == 403
    deleting = alice_client.post(reverse("admin:portal_studio_delete", args=[demo_studio.pk]), {"post": "yes"})
    assert deleting.status_code == 403
    assert still_there(demo_studio)


def test_only_superusers_choose_a_studios_staff(alice_client, superuser_client, alice, django_user_model, demo_studio):
    bob = django_user_model.objects.create_user("bob", password="unused-password", is_staff=True)
    change = reverse("admin:portal_studio_change", args=[demo_studio.pk])

    page = alice_client.get(change).content.decode()
    assert "alice" in page and 'name="staff"' not in page  # shown, not editable
    saved = alice_client.post(change, form_data(demo_studio, staff=[bob.pk], contact_email="desk@example.org"))
    assert saved.status_code == 302
    demo_studio.refresh_from_db()
    assert demo_studio.contact_email == "desk@example.org"  # the rest of the page saves
    assert list(demo_studio.staff.all()) == [alice]

    assert superuser_client.post(change, form_data(demo_studio, staff=[alice.pk, bob.pk])).status_code == 302
    assert set(demo_studio.staff.all()) == {alice, bob}


def test_staff_of_no_studio_see_nothing(django_user_model, rows):
    carol = django_user_model.objects.create_user("carol", password="unused-password", is_staff=True)
    carol.user_permissions.set(Permission.objects.filter(content_type__app_label__in=PROJECT_APP_LABELS))
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(carol)
    for label in SCOPED:
        assert not client.get(url(label, "changelist")).context["cl"].queryset.exists(), label
