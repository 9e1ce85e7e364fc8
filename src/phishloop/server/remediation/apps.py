from django.apps import AppConfig


class RemediationConfig(AppConfig):
    name = "phishloop.server.remediation"
    label = "remediation"
    verbose_name = "Remediation (pulls)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Job kinds and the verdict receiver exist in every process (web, worker, CLI).
        from phishloop.server.remediation import receivers, steps  # noqa: F401, PLC0415
