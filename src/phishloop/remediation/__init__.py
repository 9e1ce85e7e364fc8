"""Pulling a threat out of every mailbox: plan (dry run), then execute and undo.

Plain Python between the service and the connectors: the planner takes a `MailStore`,
a `Directory` and a fingerprint function (all injected), so it runs against the
in-memory fakes as well as against Dovecot, LDAP or Microsoft 365. No Django here.
"""

from phishloop.remediation.model import (
    EntryKind,
    External,
    Plan,
    PlanEntry,
    PlanError,
    Seed,
    Skipped,
)
from phishloop.remediation.planner import Planner, PlanOptions
from phishloop.remediation.settings import AutoApproval, RemediationSettings, auto_approval

__all__ = [
    "AutoApproval",
    "EntryKind",
    "External",
    "Plan",
    "PlanEntry",
    "PlanError",
    "PlanOptions",
    "Planner",
    "RemediationSettings",
    "Seed",
    "Skipped",
    "auto_approval",
]
