from django.apps import AppConfig
from django.conf import settings


class JobsConfig(AppConfig):
    name = "phishloop.server.jobs"
    label = "jobs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from phishloop.server.jobs import queue  # noqa: PLC0415 - apps must be loaded first

        if settings.PHISHLOOP_BROKER_URL:
            queue.set_dispatcher(_send_to_celery)


def _send_to_celery(job: object) -> None:
    # Imported on first use: the Celery module sets Django up, which is done by then.
    from phishloop.server.celery import send  # noqa: PLC0415

    send(job)  # type: ignore[arg-type]
