"""Self-service on the studio dashboard (``portal.dashboard``): cancelations and their reasons, idle periods and
changes of details, sign-ins."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import dashboard
from portal.dashboard import Chart, Series, Wave
from portal.models import Studio, Write
from selfservice.models import OnlineCancelation

# The audit log's actions of this app (services.contracts, idle_periods, amendments, sign_in, emails).
CANCELATION, CANCELATION_WITHDRAWAL = "cancelation", "cancelation_withdrawal"
IDLE_PERIOD, IDLE_PERIOD_WITHDRAWAL = "idle_period", "idle_period_withdrawal"
CONTACT, ADDRESS, AMENDMENT_WITHDRAWAL = "contact_amendment", "address_amendment", "amendment_withdrawal"
SIGN_IN, SIGN_IN_LINK = "sign_in", "sign_in_link"
DEMO_NONCE = "demo-history-"


def register() -> None:
    dashboard.register_section("cancelations", gettext_lazy("Cancelations and their reasons"), cancelations, order=30)
    dashboard.register_section("idle", gettext_lazy("Idle periods and changes of details"), idle_and_changes, order=40)
    dashboard.register_section("signins", gettext_lazy("Sign-ins"), sign_ins, order=50)
    dashboard.register_demo_history("selfservice", demo_history)


def _done(counts: Counter[tuple[Any, ...]], day_list: list[date], action: str, name: str) -> Series:
    return dashboard.day_series(
        name, counts, day_list, lambda key: key[1] == action and dashboard.settled(key[2]) == "done"
    )


def cancelations(studio: Studio, start: date, end: date) -> list[Chart]:
    day_list = dashboard.days(start, end)
    counts = dashboard.audit_per_day(studio, start, end, (CANCELATION, CANCELATION_WITHDRAWAL))
    online = dashboard.per_day(
        OnlineCancelation.objects.filter(studio=studio), studio, start, end, "received_at", "kind", "outcome"
    )
    kinds, outcomes = OnlineCancelation.Kind, OnlineCancelation.Outcome
    return [
        Chart(
            _("Contract cancelations per day"),
            "bar",
            dashboard.day_labels(day_list),
            [
                _done(counts, day_list, CANCELATION, _("Signed in")),
                dashboard.day_series(_("Without sign-in (§312k)"), online, day_list, lambda key: True),
                _done(counts, day_list, CANCELATION_WITHDRAWAL, _("Withdrawn")),
            ],
            x_title=_("Day"),
            note=_("Signed in: filed by members on their contract page. Withdrawn: cancelations taken back."),
        ),
        Chart(
            _("Cancelations without sign-in by outcome"),
            "stacked",
            [str(label) for label in outcomes.labels],
            [
                Series(
                    str(kind_label),
                    [sum(n for key, n in online.items() if key[1:] == (kind, outcome)) for outcome in outcomes.values],
                )
                for kind, kind_label in kinds.choices
            ],
            x_title=_("Outcome"),
            note=_("Received, not processed yet: staff still need to act on these (see the records in admin)."),
        ),
        _reasons(studio, start, end),
    ]


def _reasons(studio: Studio, start: date, end: date) -> Chart:
    """Signed-in cancelations by reason: the audit keeps the reason's id, the write's result its name."""
    lower, upper = dashboard.bounds(studio, start, end)
    per_reason: Counter[Any] = Counter()
    entries = studio.audit_entries.filter(action=CANCELATION, created_at__gte=lower, created_at__lt=upper)
    for outcome, details in entries.values_list("outcome", "details"):
        if dashboard.settled(outcome) == "done" and isinstance(details, dict):
            per_reason[details.get("reason_id")] += 1
    names = _reason_names(studio)
    ranked = per_reason.most_common()
    return Chart(
        _("Cancelation reasons"),
        "bar",
        [names.get(reason) or _("Reason %(id)s") % {"id": reason} for reason, _n in ranked],
        [Series(_("Cancelations"), [n for _reason, n in ranked])],
        x_title=_("Reason"),
        note=_(
            "Reasons members chose when cancelling signed in. Cancelations without sign-in are filed with the "
            "studio's default reason; an extraordinary one carries its reason as text, on its record in admin."
        ),
    )


def _reason_names(studio: Studio) -> dict[Any, str]:
    names: dict[Any, str] = {}
    writes = Write.objects.filter(studio=studio, action=CANCELATION, state=Write.State.DONE).order_by("created_at")
    for details, result in writes.values_list("details", "result"):
        if isinstance(details, dict) and isinstance(result, dict) and result.get("reason"):
            names[details.get("reason_id")] = str(result["reason"])
    return names


def idle_and_changes(studio: Studio, start: date, end: date) -> list[Chart]:
    day_list = dashboard.days(start, end)
    actions = (IDLE_PERIOD, IDLE_PERIOD_WITHDRAWAL, CONTACT, ADDRESS, AMENDMENT_WITHDRAWAL)
    counts = dashboard.audit_per_day(studio, start, end, actions)
    labels = dashboard.day_labels(day_list)
    return [
        Chart(
            _("Idle-period requests per day"),
            "bar",
            labels,
            [
                _done(counts, day_list, IDLE_PERIOD, _("Requested")),
                _done(counts, day_list, IDLE_PERIOD_WITHDRAWAL, _("Withdrawn")),
            ],
            x_title=_("Day"),
        ),
        Chart(
            _("Changes of contact data and address per day"),
            "bar",
            labels,
            [
                _done(counts, day_list, CONTACT, _("Contact data")),
                _done(counts, day_list, ADDRESS, _("Address")),
                _done(counts, day_list, AMENDMENT_WITHDRAWAL, _("Withdrawn")),
            ],
            x_title=_("Day"),
            note=_("Requests the studio's system accepted; some wait for the studio's approval there."),
        ),
    ]


def sign_ins(studio: Studio, start: date, end: date) -> list[Chart]:
    day_list = dashboard.days(start, end)
    counts = dashboard.audit_per_day(studio, start, end, (SIGN_IN, SIGN_IN_LINK))

    def of(action: str, outcomes: tuple[str, ...], name: str) -> Series:
        return dashboard.day_series(name, counts, day_list, lambda key: key[1] == action and key[2] in outcomes)

    return [
        Chart(
            _("Sign-ins per day"),
            "line",
            dashboard.day_labels(day_list),
            [
                of(SIGN_IN_LINK, ("sent",), _("Links sent")),
                of(SIGN_IN, ("done",), _("Signed in")),
                of(SIGN_IN, ("link_invalid",), _("Link expired or used")),
                of(SIGN_IN_LINK, ("no_match", "ambiguous"), _("No single member found")),
            ],
            x_title=_("Day"),
            note=_("No single member found: no link was sent, because no member or several had the address."),
        )
    ]


def demo_history(studio: Studio, today: date) -> None:
    dashboard.demo_page_views(
        studio, today, {"selfservice:account": Wave(35), "selfservice:online-cancelation": Wave(2, weekend=0.5)}
    )
    waves = {
        CANCELATION: Wave(1, weekend=0.0, rise=0.0),
        IDLE_PERIOD: Wave(1, weekend=0.0, rise=0.0),
        CONTACT: Wave(1, weekend=0.0, rise=0.0),
        SIGN_IN: Wave(14),
    }
    reasons = list(DEMO_REASONS)

    def plan(day: date, index: int) -> list[tuple[str, str, dict[str, Any]]]:
        member = f"customer:{2000 + index % 23}"
        rows: list[tuple[str, str, dict[str, Any]]] = []
        for number in range(waves[CANCELATION].on(day, index)):
            reason = reasons[(index + number) % len(reasons) if index % 3 else 0]
            rows.append((CANCELATION, "done", {"actor": member, "contract_id": 1, "reason_id": reason}))
        if index % 9 == 4:
            rows.append((CANCELATION_WITHDRAWAL, "done", {"actor": member, "contract_id": 1}))
        rows += [(IDLE_PERIOD, "done", {"actor": member, "contract_id": 1})] * waves[IDLE_PERIOD].on(day, index)
        if index % 13 == 6:
            rows.append((IDLE_PERIOD_WITHDRAWAL, "done", {"actor": member, "contract_id": 1}))
        rows += [(CONTACT, "done", {"actor": member, "fields": ["email"]})] * waves[CONTACT].on(day, index)
        if index % 5 == 2:
            rows.append((ADDRESS, "done", {"actor": member, "fields": ["city", "street"]}))
        signed_in = waves[SIGN_IN].on(day, index)
        rows += [(SIGN_IN_LINK, "sent", {"actor": member})] * (signed_in + 2)
        rows += [(SIGN_IN, "done", {"actor": member})] * signed_in
        rows += [(SIGN_IN, "link_invalid", {})] * (index % 3)
        rows += [(SIGN_IN_LINK, "no_match", {})] * (index % 2)
        return [(action, outcome, dict(details)) for action, outcome, details in rows]

    dashboard.demo_audit(studio, today, plan)
    _demo_reason_names(studio)
    _demo_online_cancelations(studio, today)


# The demo's cancelation reasons (sandbox/demo/members.py names them the same), by a made-up id.
DEMO_REASONS = {9001: "Umzug", 9002: "Finanzielle Gründe", 9003: "Gesundheit", 9004: "Sonstiges"}


def _demo_reason_names(studio: Studio) -> None:
    """One finished cancelation write per reason, which is where the dashboard finds the reasons' names."""
    rows = [
        Write(
            studio=studio,
            key=uuid.uuid5(uuid.NAMESPACE_URL, f"demo-history/{studio.pk}/{reason_id}"),
            actor="customer:2000",
            action=CANCELATION,
            state=Write.State.DONE,
            details={"contract_id": 1, "reason_id": reason_id, dashboard.DEMO_MARK: True},
            result={"kind": "cancelation", "reason": name},
        )
        for reason_id, name in DEMO_REASONS.items()
    ]
    Write.objects.bulk_create(rows, ignore_conflicts=True)


def _demo_online_cancelations(studio: Studio, today: date) -> None:
    """Declarations of made-up people (the demo's own), one every few days, in each outcome."""
    outcomes = [OnlineCancelation.Outcome.FILED] * 3 + [OnlineCancelation.Outcome.FORWARDED]
    rows = []
    for index, day in enumerate(dashboard.days(today - timedelta(weeks=9), today)):
        if index % 3:
            continue
        extraordinary = index % 15 == 0
        rows.append(
            OnlineCancelation(
                studio=studio,
                nonce=f"{DEMO_NONCE}{day.isoformat()}",
                received_at=dashboard.at(studio, day, 10 + index % 9),
                kind=OnlineCancelation.Kind.EXTRAORDINARY if extraordinary else OnlineCancelation.Kind.ORDINARY,
                extraordinary_reason="Umzug ins Ausland" if extraordinary else "",
                first_name="Demo",
                last_name=f"Mitglied {index}",
                date_of_birth=date(1990, 1, 1),
                email=f"demo-{index}@demo-fitness.example",
                contract_identifier=f"D-{1000 + index}",
                outcome=OnlineCancelation.Outcome.RECEIVED if index == 0 else outcomes[index % len(outcomes)],
                studio_emailed=True,
            )
        )
    with transaction.atomic():
        OnlineCancelation.objects.filter(studio=studio, nonce__startswith=DEMO_NONCE).delete()
        OnlineCancelation.objects.bulk_create(rows)
