# Written by hand (makemigrations would name it 0005_remove_studio_sandbox_...): the fault settings
# moved to the sandbox's own model, whose migration copies them first (it runs before this one).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0004_write"),
    ]

    operations = [
        migrations.RemoveField(model_name="studio", name="sandbox_error_rates"),
        migrations.RemoveField(model_name="studio", name="sandbox_latency_ms"),
        migrations.RemoveField(model_name="studio", name="sandbox_timeout_rate"),
    ]
