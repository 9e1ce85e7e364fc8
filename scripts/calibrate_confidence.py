"""Fit the verdict confidence to how often each category is right on labelled mail.

For every verdict category, a never-decreasing curve maps the decision margin (how far the
deciding score is past its threshold) to the observed share of correct verdicts (isotonic
regression, wanted and unwanted mail weighted equally). Data:
the development corpora, judged with the shipped configuration and model, using only files
the shipped model never trained on (phishing_pot entirely; the held-out fifth of the sets it
trained on). Writes src/phishloop/core/classify/data/calibration.json.

    .venv/bin/python scripts/calibrate_confidence.py [--check]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import sys
from collections import Counter, defaultdict
from pathlib import Path

from sklearn.isotonic import IsotonicRegression

from phishloop.core.classify.chain import run_chain
from phishloop.core.classify.decide import decision
from phishloop.core.classify.facts import Facts
from phishloop.core.classify.learn import shipped_model
from phishloop.core.config import DEFAULT_CONFIG
from phishloop.core.pipeline import analyze
from phishloop.training.split import held_out

REPO = Path(__file__).resolve().parents[1]
CORPORA = Path(os.environ.get("PHISHLOOP_CORPORA", REPO.parent / "shared" / "corpora"))
OUTPUT = REPO / "src" / "phishloop" / "core" / "classify" / "data" / "calibration.json"
TRAINED_ON = {"spamassassin_public", "markup_newsletters", "modern_lists", "mime_fixtures",
              "sublime_demo"}  # fmt: skip
RIGHT = {
    "malicious": {"phish", "malware", "bec"},
    "suspicious": {"phish", "malware", "bec", "spam"},
    "spam": {"phish", "spam", "bec"},
    "bulk": {"bulk", "ham"},
    "clean": {"ham", "bulk"},
    "simulation": {"simulation"},
}


def samples() -> dict[str, list[tuple[float, int, str]]]:
    model = shipped_model()
    data: dict[str, list[tuple[float, int, str]]] = defaultdict(list)
    with (CORPORA / "all_labels.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    for number, row in enumerate(rows):
        corpus, label = row["path"].split("/", 1)[0], row["label"]
        if label == "malformed" or corpus == "office_attachments":
            continue
        raw = (CORPORA / row["path"]).read_bytes()
        digest = hashlib.sha256(raw).hexdigest()
        if corpus in TRAINED_ON and not held_out(digest, 20260101, 0.2):
            continue
        for result in analyze(raw, config=DEFAULT_CONFIG, verdict=False):
            facts = Facts(result, DEFAULT_CONFIG, model=model)
            hits, _ = run_chain(facts, DEFAULT_CONFIG.rules)
            opinion = facts.model_opinion
            category, margin = decision(
                hits, DEFAULT_CONFIG.verdict, opinion.probability if opinion else None
            )
            data[category].append((margin, int(label in RIGHT[category]), label))
        if number % 1000 == 0:
            print(f"{number}/{len(rows)}", file=sys.stderr)
    return data


UNWANTED = {"phish", "malware", "bec", "spam"}
BINS = (0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0)  # margins at which the curve is tabulated


def fit(points: list[tuple[float, int, str]], class_counts: dict[bool, int]) -> dict[str, object]:
    """Isotonic (never decreasing) regression of "right" on the margin, with wanted and
    unwanted mail weighted equally: the corpora's mix (mostly phishing and old ham) is not
    any organisation's report mix. Tabulated at `BINS`; decide.py interpolates."""
    if len(points) < 20 or len({y for _, y, _ in points}) < 2:
        share = sum(y for _, y, _ in points) / len(points) if points else 0.5
        return {"margins": [0.0], "confidence": [round(share, 3)], "n": len(points)}
    weights = [1.0 / class_counts[label in UNWANTED] for _, _, label in points]
    curve = IsotonicRegression(y_min=0.02, y_max=0.99, out_of_bounds="clip").fit(
        [m for m, _, _ in points], [y for _, y, _ in points], sample_weight=weights
    )
    values = [round(float(v), 3) for v in curve.predict(list(BINS))]
    return {"margins": list(BINS), "confidence": values, "n": len(points)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if the file would change")
    args = parser.parse_args()
    found = samples()
    classes = Counter(label in UNWANTED for points in found.values() for _, _, label in points)
    curves = {category: fit(points, classes) for category, points in sorted(found.items())}
    text = json.dumps({"version": 1, "curves": curves}, indent=2) + "\n"
    if args.check:
        sys.exit(0 if OUTPUT.exists() and OUTPUT.read_text() == text else 1)
    OUTPUT.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
