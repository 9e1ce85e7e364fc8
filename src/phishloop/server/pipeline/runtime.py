"""The analysis runtime of this process (configuration, model, YARA rules, intel), loaded
once from `PHISHLOOP_CONFIG` exactly as `phishloop analyze` loads it."""

from __future__ import annotations

from functools import cache

from django.conf import settings

from phishloop.connectors.runtime.runtime import Runtime, RuntimeOptions, load_runtime


@cache
def runtime() -> Runtime:
    return load_runtime(RuntimeOptions(config=settings.PHISHLOOP_CONFIG or None))


def reset() -> None:
    """Forget the loaded runtime (tests, or after the configuration file changed)."""
    runtime.cache_clear()
