"""Member requests become ``portal.Write`` rows (one idempotent-write table for every app)."""

from django.db import migrations

ERROR_CLASSES = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 409: "Conflict"}


def copy_requests(apps, schema_editor):
    MemberRequest = apps.get_model("selfservice", "MemberRequest")
    Write = apps.get_model("portal", "Write")
    for request in MemberRequest.objects.all().iterator():
        state, result = request.state, request.result or {}
        if state == "failed":
            status = result.get("status")
            if isinstance(status, int) and 400 <= status < 500:
                state = "refused"
                error = ERROR_CLASSES.get(status, "BadRequest")
                result = {"error": error, "http_status": status, "error_code": None}
            elif isinstance(status, int):
                result = {"error": "Unavailable", "http_status": status, "error_code": None}
            else:
                result = {"reason": "NOT_FOUND"}
        write, _created = Write.objects.get_or_create(
            studio_id=request.studio_id,
            key=request.key,
            defaults={
                "actor": f"customer:{request.customer_id}",
                "action": request.action,
                "target": request.target,
                "state": state,
                "result": result,
            },
        )
        Write.objects.filter(pk=write.pk).update(created_at=request.created_at, updated_at=request.updated_at)


class Migration(migrations.Migration):
    dependencies = [
        ("selfservice", "0002_signinrequest"),
        ("portal", "0004_write"),
    ]

    operations = [
        migrations.RunPython(copy_requests, migrations.RunPython.noop),
        migrations.DeleteModel(name="MemberRequest"),
    ]
