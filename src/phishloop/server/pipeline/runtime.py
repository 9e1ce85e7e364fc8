"""The analysis runtime of this process (configuration, model, YARA rules, intel), loaded
once from `PHISHLOOP_CONFIG` exactly as `phishloop analyze` loads it."""

from __future__ import annotations

from functools import cache

from django.conf import settings

from phishloop.connectors.runtime.runtime import Runtime, RuntimeOptions, load_runtime
from phishloop.server.pipeline.intel import ensure_store


@cache
def runtime() -> Runtime:
    """Loaded once per process. The intel store is created first, so the lookup sees the
    indicators that confirmed incidents publish to it later (see `intel.py`)."""
    store = ensure_store()
    return load_runtime(RuntimeOptions(config=settings.PHISHLOOP_CONFIG or None,
                                       intel_store=str(store)))  # fmt: skip


def reset() -> None:
    """Forget the loaded runtime (tests, or after the configuration file changed)."""
    runtime.cache_clear()
