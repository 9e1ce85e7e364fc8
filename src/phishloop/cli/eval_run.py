"""Judging labelled files for `phishloop eval`, in this process or in worker processes."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterator
from dataclasses import dataclass

from phishloop.cli.analyze import MAX_INPUT_BYTES
from phishloop.cli.eval_report import EvalResult
from phishloop.cli.progress import progress_over
from phishloop.connectors.runtime.runtime import Runtime, RuntimeOptions, load_runtime
from phishloop.core.evaluate import ISSUE_TARGETS, NO_VERDICT, Outcome, check_targets
from phishloop.core.evaluate.metrics import summarise_groups
from phishloop.core.evaluate.outcome import most_severe
from phishloop.core.model import Analysis

TOP_REASONS = 3
EVIDENCE_CHARS = 160
_WORKER: dict[str, Runtime] = {}  # the runtime of a worker process


@dataclass(frozen=True, slots=True)
class Job:
    """One labelled file to judge (plain data: it crosses into worker processes)."""

    path: str
    label: str
    set: str
    group: str


@dataclass(frozen=True, slots=True)
class Judged:
    outcome: Outcome
    messages: int  # analyses of the file (an mbox or a report may hold several)
    milliseconds: float  # analysis and verdict time, summed over them


def judge_file(runtime: Runtime, job: Job) -> Judged:
    try:
        with open(job.path, "rb") as handle:
            data = handle.read(MAX_INPUT_BYTES)
    except OSError as exc:
        reason = ("cannot read", 0.0, exc.strerror or str(exc))
        return Judged(_outcome(job, NO_VERDICT, None, (reason,)), 0, 0.0)
    analyses = runtime.analyze(data, job.path)
    return Judged(_judged(job, analyses), len(analyses), sum(a.duration_ms for a in analyses))


def _judged(job: Job, analyses: list[Analysis]) -> Outcome:
    """The file's verdict is the most severe of its messages'."""
    verdicts = [a.verdict for a in analyses if a.verdict is not None]
    category = most_severe([v.category for v in verdicts])
    chosen = next((v for v in verdicts if v.category == category), None)
    if chosen is None:
        problems = [e.message for a in analyses for e in a.errors][:TOP_REASONS]
        return _outcome(job, NO_VERDICT, None, tuple(("error", 0.0, p) for p in problems))
    reasons = tuple(
        (r.rule, r.weight, r.evidence[:EVIDENCE_CHARS]) for r in chosen.reasons[:TOP_REASONS]
    )
    return _outcome(job, category, chosen.subtype, reasons)


def _outcome(
    job: Job, category: str, subtype: str | None, reasons: tuple[tuple[str, float, str], ...]
) -> Outcome:
    return Outcome(job.path, job.label, job.set, job.group, category, subtype, reasons)


def judge_all(
    jobs: list[Job], options: RuntimeOptions, runtime: Runtime, *, workers: int, progress: bool
) -> Iterator[Judged]:
    """Judge every job, in order; with `workers` > 1 in that many worker processes, each
    loading its own runtime from `options`."""
    shown = progress_over(jobs, enabled=progress, label="Evaluating")
    if workers <= 1:
        for job in shown:
            yield judge_file(runtime, job)
        return
    context = multiprocessing.get_context("spawn")  # no fork of open stores or threads
    with context.Pool(workers, initializer=_start_worker, initargs=(options,)) as pool:
        results = pool.imap(_judge_in_worker, jobs, chunksize=4)
        for _ in shown:
            yield next(results)


def _start_worker(options: RuntimeOptions) -> None:
    _WORKER["runtime"] = load_runtime(options)


def _judge_in_worker(job: Job) -> Judged:
    return judge_file(_WORKER["runtime"], job)


def evaluate(
    work: list[Job],
    options: RuntimeOptions,
    runtime: Runtime,
    *,
    by: str,
    jobs: int,
    progress: bool,
) -> EvalResult:
    """Judge every job and measure the verdicts; `seconds` is the judging wall time."""
    started = time.perf_counter()
    judged: list[Judged] = list(judge_all(work, options, runtime, workers=jobs, progress=progress))
    seconds = time.perf_counter() - started
    outcomes = [j.outcome for j in judged]
    return EvalResult(
        groups=summarise_groups(outcomes),
        targets=check_targets(ISSUE_TARGETS, outcomes),
        misclassified=[o for o in outcomes if not o.correct],
        files=len(judged),
        messages=sum(j.messages for j in judged),
        seconds=seconds,
        jobs=jobs,
        grouped_by=by,
        config=str(runtime.loaded.path) if runtime.loaded.path else None,
        analysis_ms=sum(j.milliseconds for j in judged),
    )
