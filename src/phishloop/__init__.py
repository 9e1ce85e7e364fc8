"""phishloop: a self-hosted closed-loop abuse mailbox."""

__version__ = "0.1.0"
