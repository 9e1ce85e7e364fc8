from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "phishloop.server.notifications"
    label = "notifications"
    verbose_name = "Reporter feedback"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connects the signal receivers and registers the job kinds in every process.
        from phishloop.server.notifications import (  # noqa: F401, PLC0415
            delivery,
            receivers,
            recovery,
            steps,
        )
