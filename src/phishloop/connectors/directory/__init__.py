"""Directory connectors: people, mailboxes and (nested) groups of the organisation.

`Directory` is the interface; `InMemoryDirectory` the fake; the static file (YAML/CSV)
is the default, LDAP and Microsoft Graph the others. `open_directory` builds the one
configured in `[directory]`.
"""

from phishloop.connectors.directory.base import (
    Directory,
    DirectoryError,
    Expansion,
    Group,
    Member,
    Person,
    Reached,
    Unresolved,
)
from phishloop.connectors.directory.factory import open_directory
from phishloop.connectors.directory.memory import InMemoryDirectory
from phishloop.connectors.directory.settings import DirectorySettings
from phishloop.connectors.directory.static import load_static_directory

__all__ = [
    "Directory",
    "DirectoryError",
    "DirectorySettings",
    "Expansion",
    "Group",
    "InMemoryDirectory",
    "Member",
    "Person",
    "Reached",
    "Unresolved",
    "load_static_directory",
    "open_directory",
]
