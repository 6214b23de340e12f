"""Arithmetic without eval: numbers and + - * / only."""

from __future__ import annotations

import pytest

from tools.base import ToolFailure
from tools.calculate import CalculateRequest, calculate


def test_arithmetic_rounds_to_cents() -> None:
    assert calculate(None, CalculateRequest(expression="2623.69 - (652.61 + 473.43)")).result == 1497.65  # type: ignore[arg-type]


@pytest.mark.parametrize("expression", ["__import__('os')", "1/0", "2 ** 999999", "x + 1", "1 +"])
def test_anything_else_is_refused(expression: str) -> None:
    with pytest.raises(ToolFailure):
        calculate(None, CalculateRequest(expression=expression))  # type: ignore[arg-type]
