"""The organisation's decision policy (`[policy]`) and trusted domains, read from the
configuration file the analysis runtime loaded."""

from __future__ import annotations

from phishloop.connectors.intel.settings import IntelSettings
from phishloop.core.policy import Policy
from phishloop.server.pipeline.runtime import runtime


def current_policy() -> Policy:
    """`[policy]` of PHISHLOOP_CONFIG (defaults without it); ConfigError when it is wrong."""
    loaded = runtime().loaded
    where = str(loaded.path) if loaded.path else ""
    return Policy.from_mapping(loaded.tables.get("policy", {}), where=where)


def trusted_domains() -> tuple[str, ...]:
    """Domains whose indicators never become intel: ours and the allow-listed ones."""
    loaded = runtime().loaded
    config = loaded.analysis
    intel = IntelSettings.from_mapping(loaded.tables.get("intel", {}))
    return (
        *config.organisation.domains,
        *config.lists.allow_url_domains,
        *config.lists.allow_senders,
        *intel.allow_domains,
    )
