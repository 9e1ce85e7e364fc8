"""Mail stores: find copies of a message in every mailbox, quarantine and restore them.

Backends: `ImapStore` (any IMAP server; master-user or per-mailbox logins), `DoveadmStore`
(Dovecot's doveadm HTTP API, the fast path), `MaildirStore` (local disk),
`GraphMailStore` (Microsoft 365), `GmailStore` (Google Workspace) and `MemoryMailStore`
(tests). `open_mailstore` builds one from the `[mailstore]` table.
"""

from phishloop.connectors.mailstore.base import (
    SENT,
    Folder,
    FoundMessage,
    MailboxSearch,
    MailStore,
    MailStoreError,
    MessageNotFound,
    MessageRef,
    Moved,
    MoveResult,
    Outcome,
    SearchQuery,
)
from phishloop.connectors.mailstore.memory import MemoryMailStore

__all__ = [
    "SENT",
    "Folder",
    "FoundMessage",
    "MailStore",
    "MailStoreError",
    "MailboxSearch",
    "MemoryMailStore",
    "MessageNotFound",
    "MessageRef",
    "MoveResult",
    "Moved",
    "Outcome",
    "SearchQuery",
]
