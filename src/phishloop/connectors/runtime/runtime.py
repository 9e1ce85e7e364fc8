"""What every analysing command loads once before its first message: the configuration,
the threat-intel lookup, the trained model and the YARA rules.

`phishloop analyze` and `phishloop eval` both go through `load_runtime`, so a message is
judged by `eval` exactly as by `analyze`. `RuntimeOptions` is plain data: worker
processes receive it and load their own `Runtime` (a SQLite connection does not cross
a process boundary).
"""

from __future__ import annotations

from dataclasses import dataclass

from phishloop.connectors.intel.factory import open_lookup
from phishloop.connectors.intel.settings import IntelSettings
from phishloop.connectors.runtime.config_file import LoadedConfig, load_config
from phishloop.connectors.runtime.model_file import configured_model
from phishloop.connectors.runtime.yara_rules import load_scanner
from phishloop.core.classify.opinion import MessageModel
from phishloop.core.config import AnalysisConfig
from phishloop.core.enrich import IndicatorLookup
from phishloop.core.model import Analysis
from phishloop.core.pipeline import analyze
from phishloop.core.scan import YaraScanner


@dataclass(frozen=True, slots=True)
class RuntimeOptions:
    """The command-line options that choose the runtime (None = the defaults)."""

    config: str | None = None
    intel_store: str | None = None
    no_model: bool = False  # --no-model: judge by the rules alone


@dataclass(frozen=True)
class Runtime:
    loaded: LoadedConfig
    intel: IndicatorLookup
    model: MessageModel | None = None
    scanner: YaraScanner | None = None

    @property
    def config(self) -> AnalysisConfig:
        return self.loaded.analysis

    def analyze(self, data: bytes, path: str | None, *, verdict: bool = True) -> list[Analysis]:
        """Analyse and judge one input (see `phishloop.core.pipeline.analyze`)."""
        return analyze(
            data,
            path=path,
            config=self.config,
            intel=self.intel,
            scanner=self.scanner,
            model=self.model,
            verdict=verdict,
        )


def load_runtime(options: RuntimeOptions) -> Runtime:
    """Load everything once; raises ConfigError naming the file and the bad setting."""
    loaded = load_config(options.config)
    intel_settings = IntelSettings.from_mapping(loaded.tables.get("intel", {}))
    intel = open_lookup(intel_settings, options.intel_store)
    scanner = load_scanner(loaded.tables, loaded.path)
    model = configured_model(loaded.tables, config_path=loaded.path, disabled=options.no_model)
    return Runtime(loaded, intel, model=model, scanner=scanner)
