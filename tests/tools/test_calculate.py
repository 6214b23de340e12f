"""Arithmetic without eval: numbers and + - * / only."""

from __future__ import annotations

import pytest

from tools.base import ToolFailure
from tools.calculate import CALCULATE_TOOLS, CalculateRequest, calculate


def test_arithmetic_rounds_to_cents() -> None:
    assert calculate(None, CalculateRequest(expression="2623.69 - (652.61 + 473.43)")).result == 1497.65  # type: ignore[arg-type]


@pytest.mark.parametrize("expression", ["__import__('os')", "1/0", "2 ** 999999", "x + 1", "1 +"])
def test_anything_else_is_refused(expression: str) -> None:
    with pytest.raises(ToolFailure):
        calculate(None, CalculateRequest(expression=expression))  # type: ignore[arg-type]


@pytest.mark.parametrize("message", ["what's the total of my two orders?", "how much more is the blue one?",
                                     "19.99 + 5 shipping?", "这两个一共多少钱？", "差价是多少"])
def test_the_planner_is_offered_calculate_when_the_shopper_asks_for_arithmetic(message: str) -> None:
    assert CALCULATE_TOOLS[0].offered_for(message)


@pytest.mark.parametrize("message", ["show me order ORD-000001", "how much is the tent?", "这个多少钱？",
                                     "has my order for 2 mugs shipped?"])
def test_otherwise_calculate_is_not_offered(message: str) -> None:
    assert not CALCULATE_TOOLS[0].offered_for(message)
