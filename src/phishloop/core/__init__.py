"""The pure analysis core: bytes in, facts (and later a verdict) out.

No Django, no Celery, no network, no environment reads; configuration comes in as frozen
dataclasses (`phishloop.core.config`).
"""
