"""Helpers for the parse tests: contexts and small hand-written mails."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from phishloop.core.config import AnalysisConfig, Limits, OrganisationConfig
from phishloop.core.context import AnalysisContext


@pytest.fixture
def ctx() -> AnalysisContext:
    return AnalysisContext.create()


@pytest.fixture
def make_ctx() -> Callable[..., AnalysisContext]:
    """make_ctx(domains=(...), report_addresses=(...), **limits) -> AnalysisContext"""

    def build(
        domains: tuple[str, ...] = (), report_addresses: tuple[str, ...] = (), **limits: int
    ) -> AnalysisContext:
        config = AnalysisConfig(
            organisation=OrganisationConfig(domains=domains, report_addresses=report_addresses),
            limits=Limits(**limits),
        )
        return AnalysisContext.create(config)

    return build


def codes(context: AnalysisContext) -> list[str]:
    return [record.code for record in context.errors.records]


@pytest.fixture
def error_codes() -> Callable[[AnalysisContext], list[str]]:
    return codes
