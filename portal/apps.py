from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        from portal import checks, counting, housekeeping, metrics, task_admin  # noqa: F401  (checks registers itself)

        task_admin.install()
        metrics.install()
        counting.install()
        housekeeping.register("tasks", housekeeping.prune_task_results)
        housekeeping.register("counts", counting.prune)
