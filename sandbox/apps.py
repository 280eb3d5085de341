from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "sandbox"
    verbose_name = "Sandbox API"

    def ready(self) -> None:
        from sandbox import ops  # noqa: F401  (registers the operations)
