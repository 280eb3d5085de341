"""Issue 9, points 3 and 5a: tasks carry ids only, sign-in requests do the same work for every address,
one used link (or signing out) ends the others, and the daily job purges old §312k records."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.core.checks import run_checks
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from portal.models import AuditEntry
from selfservice.models import OnlineCancelation, SignInRequest, SignInToken
from tests.selfservice.test_online_cancelation import declaration, submit
from tests.selfservice.test_sign_in import ACCOUNT, ask_for_link, link_from


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_worker() -> None:
    """What ``manage.py db_worker`` does with each waiting row (the command itself closes the test's connection)."""
    for row in DBTaskResult.objects.ready():
        row.claim("test-worker")
        call = row.args_kwargs
        row.set_successful(row.task.call(*call["args"], **call["kwargs"]))


def stored_tasks() -> str:
    """Everything the task table holds about the tasks (what admin or a database dump would show)."""
    return json.dumps(list(DBTaskResult.objects.values("args_kwargs", "return_value", "traceback")), default=str)


def test_known_and_unknown_addresses_do_the_same_work_in_the_request(
    client, demo_studio, mia, database_tasks, upstream_calls
):
    upstream_calls.clear()
    known = ask_for_link(client, mia.email)
    unknown = ask_for_link(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    assert upstream_calls == []  # the customer search happens in the worker
    tasks = list(DBTaskResult.objects.all())
    assert len(tasks) == 2
    assert [task.args_kwargs["kwargs"]["kind"] for task in tasks] == ["selfservice.sign_in_link"] * 2
    assert "@" not in stored_tasks() and "mia" not in stored_tasks().lower()
    assert mail.outbox == []

    run_worker()
    assert [message.to for message in mail.outbox] == [[mia.email]]
    assert SignInRequest.objects.count() == 0  # the typed addresses are gone once answered
    token = link_from(mail.outbox[0]).rstrip("/").rsplit("/", 1)[1]
    assert token not in stored_tasks() and "sign-in" not in stored_tasks()
    assert sorted(AuditEntry.objects.filter(action="sign_in_link").values_list("outcome", flat=True)) == [
        "no_match",
        "sent",
    ]
    assert client.post(link_from(mail.outbox[0])).status_code == 302


def test_confirmations_and_receipts_queue_ids_only(client, demo_studio, mia, database_tasks):
    submit(client, declaration(mia))
    assert OnlineCancelation.objects.count() == 1
    assert mail.outbox == []
    assert mia.email not in stored_tasks() and mia.customer.last_name not in stored_tasks()
    run_worker()
    assert [message.to for message in mail.outbox] == [[mia.email]]
    assert "Schneider" in mail.outbox[0].body


def test_voucher_access_code_never_reaches_the_task_table(demo_studio, database_tasks):
    from tests.trialoffers.test_vouchers import access_code, redeem
    from trialoffers.models import VoucherMessage

    outcome = redeem(demo_studio, "DEMO-VOUCHER-2026")
    assert outcome.redeemed
    code = access_code("DEMO-VOUCHER-2026")
    assert code not in stored_tasks() and "vera@example.org" not in stored_tasks()
    run_worker()
    [message] = mail.outbox
    assert code in message.body and message.to == ["vera@example.org"]
    assert VoucherMessage.objects.count() == 0


def test_admin_shows_no_task_content(admin_client, client, demo_studio, mia, database_tasks):
    ask_for_link(client, mia.email)
    run_worker()
    task = DBTaskResult.objects.get()
    listing = admin_client.get("/admin/django_tasks_database/dbtaskresult/")
    page = admin_client.get(f"/admin/django_tasks_database/dbtaskresult/{task.pk}/change/")
    assert listing.status_code == page.status_code == 200
    for html in (listing.content.decode(), page.content.decode()):
        assert "args_kwargs" not in html and "selfservice.sign_in_link" not in html
        assert "Args kwargs" not in html and "Return value" not in html and "Traceback" not in html


def test_housekeeping_prunes_finished_tasks(client, demo_studio, mia, database_tasks, settings):
    ask_for_link(client, mia.email)
    run_worker()
    DBTaskResult.objects.update(finished_at=timezone.now() - timedelta(days=settings.TASKS_KEEP_FINISHED_DAYS + 1))
    ask_for_link(client, "nobody@example.com")  # waiting: stays
    call_command("housekeeping")
    assert DBTaskResult.objects.count() == 1 and DBTaskResult.objects.get().status == "READY"


def test_immediate_tasks_warn_in_a_deployment_check(settings):
    settings.DEBUG = False
    settings.TASKS_MODE = "immediate"
    assert "portal.W001" in [message.id for message in run_checks(include_deployment_checks=True)]
    settings.TASKS_MODE = "database"
    assert "portal.W001" not in [message.id for message in run_checks(include_deployment_checks=True)]


# --- 3c: one used link, or signing out, ends the others ----------------------------------------------
def test_using_one_link_ends_the_members_other_links(client, demo_studio, mia):
    ask_for_link(client, mia.email)
    ask_for_link(client, mia.email)
    first, second = (link_from(message) for message in mail.outbox)
    assert client.post(second).status_code == 302
    client.logout()
    assert client.get(first).status_code == 410 and client.post(first).status_code == 410
    assert SignInToken.objects.usable().count() == 0


def test_signing_out_ends_outstanding_links(client, demo_studio, mia):
    ask_for_link(client, mia.email)
    ask_for_link(client, mia.email)
    used, waiting = (link_from(message) for message in mail.outbox)
    client.post(used)
    ask_for_link(client, mia.email)  # asked again while signed in (another device)
    waiting = link_from(mail.outbox[-1])
    assert client.post("/s/demo/account/sign-out/").status_code == 302
    assert client.post(waiting).status_code == 410
    assert "E-Mail-Adresse" in client.get(ACCOUNT).content.decode()


# --- 3b: §312k records are purged after the studio's retention --------------------------------------
def test_housekeeping_purges_old_handled_cancelations_only(client, demo_studio, mia, jonas):
    submit(client, declaration(mia))
    submit(client, declaration(jonas))
    filed, forwarded = OnlineCancelation.objects.get(email=mia.email), OnlineCancelation.objects.get(email=jonas.email)
    assert filed.outcome == "filed" and forwarded.outcome == "forwarded" and forwarded.handled
    old = timezone.now() - timedelta(days=demo_studio.cancelation_retention_days + 1)
    OnlineCancelation.objects.update(received_at=old)
    unhandled = OnlineCancelation.objects.create(
        studio=demo_studio,
        nonce="never-processed",
        kind="ordinary",
        first_name="A",
        last_name="B",
        date_of_birth="1990-01-01",
        email="a@example.org",
        contract_identifier="1",
        received_at=old,
    )
    OnlineCancelation.objects.filter(pk=filed.pk).update(filed_end_date=timezone.localdate() + timedelta(days=30))

    call_command("housekeeping", "--dry-run")
    assert OnlineCancelation.objects.count() == 3
    call_command("anonymise_leads")  # the old name of the daily job runs all of it
    # Gone: the forwarded one. Kept: the filed one until its contract has ended, the unhandled one for staff.
    assert set(OnlineCancelation.objects.values_list("pk", flat=True)) == {filed.pk, unhandled.pk}
    OnlineCancelation.objects.filter(pk=filed.pk).update(filed_end_date=timezone.localdate() - timedelta(days=1))
    call_command("housekeeping")
    assert list(OnlineCancelation.objects.values_list("pk", flat=True)) == [unhandled.pk]


def test_recent_cancelations_are_kept(client, demo_studio, mia):
    submit(client, declaration(mia))
    call_command("housekeeping")
    assert OnlineCancelation.objects.count() == 1
