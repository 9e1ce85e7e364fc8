"""Rules: the trained model's opinion as one explained input of the verdict, never the only
one. `model.unwanted` argues for spam (the other rules decide which kind of unwanted), scaled
by how far P(unwanted) is above 0.5; `model.wanted` argues, more weakly, for a legitimate
message when the model is confident. Neither fires when the model knows fewer than
`MIN_KNOWN_TERMS` of the message's words (another language, almost no text).

Hit weight = `[verdict] model_weight` × (2P − 1) for `model.unwanted` (4 × 0.86 = 3.44 at
P = 0.93 with the default), and at most `WANTED_WEIGHT` for `model.wanted`.
"""

from __future__ import annotations

from phishloop.core.classify.facts import Facts
from phishloop.core.classify.learn.linear import LinearOpinion
from phishloop.core.classify.opinion import ModelOpinion
from phishloop.core.classify.types import Finding, Rule
from phishloop.core.config import VerdictConfig

NOMINAL_WEIGHT = VerdictConfig().model_weight  # the rule's weight at the default model_weight
UNWANTED_FROM = 0.55  # below this the opinion is too close to a coin toss to show
WANTED_BELOW = 0.2
WANTED_WEIGHT = 1.0
MIN_KNOWN_TERMS = 3  # fewer known words (another language, almost no text): no hit
SHOWN_FEATURES = 5


def describe(opinion: ModelOpinion) -> str:
    """'P(unwanted)=0.93; top features: 'verify your', subject 'password', [html-form]'."""
    names = [_shown(name) for name, _ in opinion.top_features[:SHOWN_FEATURES]]
    features = f"; top features: {', '.join(names)}" if names else ""
    return f"P(unwanted)={opinion.probability:.2f}{features}"


def _shown(name: str) -> str:
    if name.startswith("["):
        return name
    if name.startswith("subject: "):
        return f"subject '{name.removeprefix('subject: ')}'"
    return f"'{name}'"


def _informed(opinion: ModelOpinion) -> bool:
    """False when the model knows too few of the message's words for its opinion to count
    (its probability is then little more than its prior)."""
    return not isinstance(opinion, LinearOpinion) or opinion.known_terms >= MIN_KNOWN_TERMS


def _unwanted(facts: Facts) -> Finding | None:
    opinion = facts.model_opinion
    if opinion is None or opinion.probability < UNWANTED_FROM or not _informed(opinion):
        return None
    scale = facts.config.verdict.model_weight / NOMINAL_WEIGHT
    return Finding(describe(opinion), strength=(2 * opinion.probability - 1) * scale)


def _wanted(facts: Facts) -> Finding | None:
    opinion = facts.model_opinion
    if opinion is None or opinion.probability >= WANTED_BELOW or not _informed(opinion):
        return None
    return Finding(describe(opinion), strength=1 - opinion.probability / WANTED_BELOW / 2)


RULES: tuple[Rule, ...] = (
    Rule(
        "model.unwanted",
        "spam",
        NOMINAL_WEIGHT,
        "The trained text model finds the message more likely unwanted than not; the weight "
        "grows with its probability.",
        _unwanted,
    ),
    Rule(
        "model.wanted",
        "legit",
        WANTED_WEIGHT,
        "The trained text model is confident the message is legitimate and knows enough of "
        "its words to say so.",
        _wanted,
    ),
)
