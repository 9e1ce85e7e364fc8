from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "phishloop.server.events"
    label = "events"
    verbose_name = "Outbound events"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connects the incident-signal receivers and registers the delivery job kind in
        # every process (web, worker, CLI), like the pipeline's steps.
        from phishloop.server.events import delivery, receivers  # noqa: F401, PLC0415
