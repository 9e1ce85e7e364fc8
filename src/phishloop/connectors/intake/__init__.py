"""Report sources: the SMTP listener and the IMAP abuse-mailbox reader (protocol level,
no Django — the server hands them an `accept` callable that stores and commits)."""
