"""Analysis configuration as frozen dataclasses.

The core never reads files or the environment: callers load the TOML file
(`phishloop.connectors.runtime.config_file`) and pass the resulting mapping to
`AnalysisConfig.from_mapping`.
Every key is optional; defaults are safe for hostile input.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, TypeVar

from phishloop.core.errors import ConfigError

MiB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on everything an attacker controls. Exceeding one records an error and a
    `limit-exceeded` flag; analysis goes on with what fits."""

    max_message_bytes: int = 50 * MiB
    max_mime_depth: int = 40
    max_parts: int = 1000
    max_attachments: int = 250
    max_headers: int = 1000
    max_archive_depth: int = 4
    max_archive_members: int = 1000
    max_member_bytes: int = 64 * MiB
    max_expanded_bytes: int = 256 * MiB
    max_expansion_ratio: float = 200.0
    max_seconds: float = 20.0
    max_text_scan_bytes: int = 2 * MiB
    max_html_bytes: int = 8 * MiB
    max_body_text_chars: int = 100_000
    max_urls: int = 2000
    max_qr_images: int = 24
    max_image_pixels: int = 40_000_000
    max_pdf_pages: int = 30
    max_nested_messages: int = 20
    max_originals: int = 20


@dataclass(frozen=True, slots=True)
class OrganisationConfig:
    """Who "we" are: used to trust authentication results and spot impersonation."""

    name: str = ""
    domains: tuple[str, ...] = ()
    authserv_ids: tuple[str, ...] = ()
    vip_names: tuple[str, ...] = ()
    report_addresses: tuple[str, ...] = ()  # the abuse mailbox(es) employees forward to


@dataclass(frozen=True, slots=True)
class VerdictConfig:
    """How scores become a category (see docs/verdicts.md). Scores are sums of rule
    weights; the thresholds below are compared with them."""

    malicious: float = 6.0  # threat score for `malicious`
    suspicious: float = 3.0  # threat score for `suspicious`
    spam: float = 2.5  # spam score (threat signals count too) for `spam`
    bulk: float = 2.0  # bulk score for `bulk`
    model_weight: float = 6.0  # weight of the trained model's opinion at P(unwanted) = 1
    model_alone: float = 0.9  # P(unwanted) from which the model alone may make mail spam
    use_model: bool = True


@dataclass(frozen=True, slots=True)
class ListsConfig:
    """Organisation allow and block lists. Entries are addresses, domains (subdomains
    included) or, for urls, URL prefixes."""

    allow_senders: tuple[str, ...] = ()
    block_senders: tuple[str, ...] = ()
    allow_url_domains: tuple[str, ...] = ()
    block_url_domains: tuple[str, ...] = ()
    block_urls: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SimulationConfig:
    """Phishing-training recognition: shipped vendor signatures, honoured only for mail
    authenticated by a trusted authserv-id or sent from a trusted range."""

    vendors: tuple[str, ...] = ("*",)  # shipped vendors to recognise ("*" = all)
    trusted_ranges: tuple[str, ...] = ()  # CIDRs the training platform sends from
    sending_domains: tuple[str, ...] = ()  # extra domains of your own simulations
    headers: tuple[str, ...] = ()  # extra "Header-Name: value" markers ("Header-Name" = any value)


@dataclass(frozen=True, slots=True)
class RulesConfig:
    disabled: tuple[str, ...] = ()  # rule names (or "family.*") that never fire
    weights: tuple[tuple[str, float], ...] = ()  # per-rule weight overrides
    brands: tuple[str, ...] = ()  # extra "Brand=domain1.com,domain2.com" for look-alikes


@dataclass(frozen=True, slots=True)
class AnalysisConfig:
    organisation: OrganisationConfig = field(default_factory=OrganisationConfig)
    limits: Limits = field(default_factory=Limits)
    verdict: VerdictConfig = field(default_factory=VerdictConfig)
    lists: ListsConfig = field(default_factory=ListsConfig)
    simulation: SimulationConfig = field(default_factory=SimulationConfig)
    rules: RulesConfig = field(default_factory=RulesConfig)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> AnalysisConfig:
        """Build from the parsed TOML file; unknown tables are left for other layers,
        unknown keys inside known tables are an error (typos must not pass silently)."""
        rules_table = dict(data.get("rules", {}))
        weights = rules_table.pop("weights", {})
        return cls(
            organisation=_build(OrganisationConfig, data.get("organisation", {}), "organisation"),
            limits=_build(Limits, data.get("limits", {}), "limits"),
            verdict=_build(VerdictConfig, data.get("verdict", {}), "verdict"),
            lists=_build(ListsConfig, data.get("lists", {}), "lists"),
            simulation=_checked_simulation(
                _build(SimulationConfig, data.get("simulation", {}), "simulation")
            ),
            rules=_with_weights(_build(RulesConfig, rules_table, "rules"), weights),
        )


T = TypeVar("T")


def _build(kind: type[T], table: object, table_name: str) -> T:
    if not isinstance(table, Mapping):
        raise ConfigError(f"[{table_name}] must be a table")
    known = {f.name: f for f in fields(kind)}  # type: ignore[arg-type]
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in known:
            raise ConfigError(f"unknown key {table_name}.{key}; known: {', '.join(sorted(known))}")
        values[key] = _coerce(value, known[key].default, f"{table_name}.{key}")
    return kind(**values)


def _checked_simulation(simulation: SimulationConfig) -> SimulationConfig:
    """Ranges, header markers and vendor ids are checked when the file is read, so a typo
    is a clear configuration error rather than a rule failing on every message."""
    # Imported here: the vendor signatures live with the rules, which import this module.
    from phishloop.core.classify.simulation_vendors import (  # noqa: PLC0415
        enabled_vendors,
        own_vendor,
    )

    try:
        enabled_vendors(simulation)
        own_vendor(simulation)
    except ValueError as exc:
        message = str(exc)
        raise ConfigError(
            message if message.startswith("[simulation]") else f"[simulation] {message}"
        ) from None
    return simulation


def _with_weights(rules: RulesConfig, weights: object) -> RulesConfig:
    if not isinstance(weights, Mapping) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in weights.values()
    ):
        raise ConfigError("[rules.weights] must map rule names to numbers")
    pairs = tuple((str(name), float(value)) for name, value in weights.items())
    return RulesConfig(disabled=rules.disabled, weights=pairs, brands=rules.brands)


def _coerce(value: object, default: object, name: str) -> object:
    if isinstance(default, tuple):
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{name} must be a list of strings")
        return tuple(
            v.strip().lower() if name.endswith(("domains", "ids", "addresses", "senders")) else v
            for v in value
        )
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"{name} must be true or false")
        return value
    if isinstance(default, int | float):
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ConfigError(f"{name} must be a non-negative number")
        return type(default)(value)
    if isinstance(default, str):
        if not isinstance(value, str):
            raise ConfigError(f"{name} must be a string")
        return value
    raise ConfigError(f"{name}: unsupported setting")  # pragma: no cover - guards new fields


DEFAULT_CONFIG = AnalysisConfig()
