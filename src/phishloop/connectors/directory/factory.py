"""Build the directory `[directory]` configures."""

from __future__ import annotations

from phishloop.connectors.directory.base import Directory
from phishloop.connectors.directory.settings import DirectorySettings


def open_directory(settings: DirectorySettings) -> Directory:
    """The configured directory (LDAP and Graph connect lazily, on first question)."""
    options = settings.options()
    if settings.type == "ldap" and settings.ldap is not None:
        from phishloop.connectors.directory.ldap_directory import LdapDirectory  # noqa: PLC0415

        return LdapDirectory(settings.ldap, **options)
    if settings.type == "graph" and settings.graph is not None:
        from phishloop.connectors.directory.graph_directory import GraphDirectory  # noqa: PLC0415

        return GraphDirectory(settings.graph, **options)
    from phishloop.connectors.directory.static import load_static_directory  # noqa: PLC0415

    assert settings.file is not None  # DirectorySettings checked it
    return load_static_directory(settings.file, **options)
