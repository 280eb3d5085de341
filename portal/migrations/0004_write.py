import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0003_studio_cancelation_retention_days"),
    ]

    operations = [
        migrations.CreateModel(
            name="Write",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.UUIDField(verbose_name="idempotency key")),
                ("actor", models.CharField(max_length=80)),
                ("action", models.CharField(max_length=40)),
                ("target", models.JSONField(blank=True, default=dict)),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("pending", "being sent"),
                            ("done", "done"),
                            ("refused", "refused"),
                            ("failed", "not sent"),
                            ("unknown", "outcome unknown"),
                        ],
                        default="pending",
                        max_length=10,
                    ),
                ),
                ("result", models.JSONField(blank=True, default=dict)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "studio",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="portal.studio"
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["studio", "actor", "action", "state"], name="portal_write_actor_idx")],
                "constraints": [models.UniqueConstraint(fields=("studio", "key"), name="portal_write_once")],
            },
        ),
    ]
