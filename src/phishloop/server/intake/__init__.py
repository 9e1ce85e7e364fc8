"""Intake: every channel (REST, SMTP, IMAP, CLI) hands reports to `accept_report`."""
