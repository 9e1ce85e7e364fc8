"""The phishloop service: a Django project and a Celery app around `phishloop.core`.

Models, services (the only code converting ORM objects to core dataclasses), thin tasks,
the REST API and the admin. See docs/server.md.
"""
