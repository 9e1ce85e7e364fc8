"""Outbound events: signed webhooks on incident creation and verdict changes."""
