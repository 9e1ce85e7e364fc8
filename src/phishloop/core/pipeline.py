"""The analysis pipeline: input bytes → one `Analysis` per reported original.

`analyze()` is the public entry point of the core. It never raises for bad input: every
step runs isolated (`run_step`), so a damaged header, a hostile attachment or the time
limit costs that step only, and the problem is recorded in `errors`.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import replace
from pathlib import PurePath

from phishloop.core import errors
from phishloop.core.classify import judge
from phishloop.core.classify.history import SenderHistory
from phishloop.core.classify.opinion import MessageModel
from phishloop.core.config import DEFAULT_CONFIG, AnalysisConfig
from phishloop.core.context import AnalysisContext, run_step
from phishloop.core.enrich import IndicatorLookup
from phishloop.core.message_analysis import analyze_parsed, empty_analysis
from phishloop.core.model import Analysis, ErrorRecord, MessageInfo, SourceInfo
from phishloop.core.parse.detect import detect_input_kind
from phishloop.core.parse.mbox import split_mbox
from phishloop.core.parse.mime import ParsedMessage, parse_message
from phishloop.core.parse.msg import msg_to_rfc822
from phishloop.core.parse.standalone import looks_like_document, wrap_as_attachment
from phishloop.core.parse.unwrap import Original, find_originals
from phishloop.core.scan import YaraScanner
from phishloop.core.services import Services


def analyze(
    data: bytes,
    *,
    path: str | None = None,
    config: AnalysisConfig = DEFAULT_CONFIG,
    intel: IndicatorLookup | None = None,
    scanner: YaraScanner | None = None,
    model: MessageModel | None = None,
    history: SenderHistory | None = None,
    verdict: bool = True,
) -> list[Analysis]:
    """Analyse one input: an .eml, an Outlook .msg or an mbox. Returns one Analysis per
    message (mbox) and per reported original (a report wrapping several originals), each
    with its verdict (unless `verdict` is False). `intel` looks the indicators up in threat
    intelligence, `scanner` runs YARA rules, `model` adds a trained model's opinion and
    `history` knows earlier senders."""
    results = _analyze_any(data, path, config, Services(intel, scanner))
    if not verdict:
        return results
    return [_judged(result, config, model, history) for result in results]


def _judged(
    analysis: Analysis,
    config: AnalysisConfig,
    model: MessageModel | None,
    history: SenderHistory | None,
) -> Analysis:
    started = time.perf_counter()
    try:
        judged = judge(analysis, config, model=model, history=history)
    except Exception as exc:  # the facts stay useful without a verdict
        failure = ErrorRecord(errors.INTERNAL, f"verdict failed: {errors.describe_exception(exc)}")
        return replace(analysis, errors=(*analysis.errors, failure))
    elapsed_ms = (time.perf_counter() - started) * 1000
    return replace(judged, duration_ms=analysis.duration_ms + elapsed_ms)


def _analyze_any(
    data: bytes, path: str | None, config: AnalysisConfig, services: Services
) -> list[Analysis]:
    kind = detect_input_kind(data, path)
    if looks_like_document(data):
        return [_analyze_file(data, _source(data, path), config, services)]
    if kind != "mbox":
        source = _source(data, path)
        return _analyze_input(data, source, config, services, is_msg=kind == "msg")
    ctx = AnalysisContext.create(config)
    results: list[Analysis] = []
    for index, message in enumerate(split_mbox(data, ctx)):
        source = _source(message, path, index)
        results.extend(_analyze_input(message, source, config, services, is_msg=False))
    return results or [empty_analysis(_source(data, path), ctx)]


def _source(data: bytes, path: str | None, index: int | None = None) -> SourceInfo:
    return SourceInfo(
        path=path, sha256=hashlib.sha256(data).hexdigest(), size=len(data), index=index
    )


def _analyze_input(
    data: bytes,
    source: SourceInfo,
    config: AnalysisConfig,
    services: Services,
    *,
    is_msg: bool,
    raw_is_source: bool = True,
) -> list[Analysis]:
    """`raw_is_source`: `data` is the input itself, so `source.sha256` is its hash."""
    started = time.perf_counter()
    ctx = AnalysisContext.create(config)
    try:
        wrapper = _parse_input(data, ctx, is_msg=is_msg)
        originals: list[Original] = run_step(
            ctx, "report unwrapping", lambda: find_originals(wrapper, ctx), []
        )
        if not originals:
            raw_sha256 = source.sha256 if raw_is_source else None
            results = [
                analyze_parsed(
                    wrapper,
                    raw=data,
                    report=None,
                    source=source,
                    ctx=ctx,
                    services=services,
                    raw_sha256=raw_sha256,
                )
            ]
        else:
            results = [_analyze_original(o, source, ctx, config, services) for o in originals]
    except Exception as exc:
        ctx.errors.add(errors.INTERNAL, f"analysis failed: {errors.describe_exception(exc)}")
        results = [empty_analysis(source, ctx)]
    elapsed_ms = (time.perf_counter() - started) * 1000
    return [replace(result, duration_ms=elapsed_ms / len(results)) for result in results]


def _analyze_file(
    data: bytes, source: SourceInfo, config: AnalysisConfig, services: Services
) -> Analysis:
    """A document, archive or HTML page given instead of an email: analysed as the only
    attachment of a synthetic message."""
    name = PurePath(source.path).name if source.path and source.path != "-" else "input"
    wrapped = wrap_as_attachment(data, name)
    [result] = _analyze_input(wrapped, source, config, services, is_msg=False, raw_is_source=False)
    note = ErrorRecord(errors.NOT_EMAIL, "not an email: analysed as a standalone file")
    return replace(result, errors=(note, *result.errors), message=MessageInfo())


def _parse_input(data: bytes, ctx: AnalysisContext, *, is_msg: bool) -> ParsedMessage:
    if is_msg:
        converted = run_step(ctx, ".msg conversion", lambda: msg_to_rfc822(data, ctx), None)
        return parse_message(converted or b"", ctx)
    return parse_message(data, ctx)


def _analyze_original(
    original: Original,
    source: SourceInfo,
    wrapper_ctx: AnalysisContext,
    config: AnalysisConfig,
    services: Services,
) -> Analysis:
    """Each original gets its own time budget; the wrapper's errors are carried over."""
    ctx = AnalysisContext.create(config)
    ctx.errors.extend(wrapper_ctx.errors.records)
    return analyze_parsed(
        original.parsed,
        raw=original.raw,
        report=original.report,
        source=source,
        ctx=ctx,
        services=services,
    )
