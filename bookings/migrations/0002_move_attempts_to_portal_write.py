"""Booking attempts become ``portal.Write`` rows (one idempotent-write table for every app)."""

from django.db import migrations


def copy_attempts(apps, schema_editor):
    BookingAttempt = apps.get_model("bookings", "BookingAttempt")
    Write = apps.get_model("portal", "Write")
    for attempt in BookingAttempt.objects.all().iterator():
        if attempt.kind == "class":
            target = {"slot": int(attempt.target)} if attempt.target.isdigit() else {"slot": attempt.target}
        else:
            type_id, _at, start = attempt.target.partition("@")
            target = {"appointment": int(type_id) if type_id.isdigit() else type_id, "start": start}
        if attempt.state in ("done", "refused"):
            result = {"status": attempt.outcome, "booking_id": attempt.booking_id}
        elif attempt.outcome == "NOT_FOUND":
            result = {"reason": "NOT_FOUND"}
        elif attempt.outcome and attempt.state == "failed":
            result = {"error": attempt.outcome}
        else:
            result = {}
        write, _created = Write.objects.get_or_create(
            studio_id=attempt.studio_id,
            key=attempt.key,
            defaults={
                "actor": f"customer:{attempt.customer_id}",
                "action": f"{attempt.kind}.book",
                "target": target,
                "state": attempt.state,
                "result": result,
            },
        )
        Write.objects.filter(pk=write.pk).update(created_at=attempt.created_at, updated_at=attempt.updated_at)


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0001_initial"),
        ("portal", "0004_write"),
    ]

    operations = [
        migrations.RunPython(copy_attempts, migrations.RunPython.noop),
        migrations.DeleteModel(name="BookingAttempt"),
    ]
