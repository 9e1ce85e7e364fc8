"""The verdict engine: a declarative chain of named rules (`chain`), an optional trained
model, and a decision (`decide`) that turns their weighted, evidenced hits into one
explained verdict. Entry point: `judge(analysis, config, model=..., history=...)`."""

from phishloop.core.classify.judge import judge

__all__ = ["judge"]
