"""Optional helpers an analysis can use, passed in by the caller (the core never builds
them itself: they come from configuration files, stores and rule directories)."""

from __future__ import annotations

from dataclasses import dataclass

from phishloop.core.enrich import IndicatorLookup
from phishloop.core.scan import YaraScanner


@dataclass(frozen=True, slots=True)
class Services:
    intel: IndicatorLookup | None = None  # threat-intelligence lookups → Analysis.intel
    scanner: YaraScanner | None = None  # compiled YARA rules → Analysis.yara


NO_SERVICES = Services()
