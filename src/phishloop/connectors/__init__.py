"""I/O adapters behind small interfaces: stores, feeds, online services, mail systems.

Connectors may use the network and the disk; they import the core, never Django,
Celery or the CLI.
"""
