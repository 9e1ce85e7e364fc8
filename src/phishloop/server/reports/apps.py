from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "phishloop.server.reports"
    label = "reports"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the pipeline's job kinds in every process (web, worker, CLI).
        from phishloop.server.pipeline import steps  # noqa: F401, PLC0415
