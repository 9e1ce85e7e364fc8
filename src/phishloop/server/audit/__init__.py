"""The append-only audit trail: who did what, when and why."""
