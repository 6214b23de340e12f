"""Exact arithmetic for the agent (totals, refunds, price differences) without evaluating arbitrary code."""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field

from tools.base import Tool, ToolContext, ToolFailure

_OPERATORS: dict[type, Callable[..., float]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.USub: operator.neg, ast.UAdd: operator.pos,
}


class CalculateRequest(BaseModel):
    expression: str = Field(description="Numbers with + - * / and parentheses, e.g. '2 * (3.5 + 4)'", min_length=1,
                            max_length=500)


class Calculation(BaseModel):
    expression: str = Field("", description="What was calculated, as given")
    result: float = Field(description="Rounded to 2 decimals")


def _evaluate(node: ast.AST) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
        return float(node.value)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        return _OPERATORS[type(node.op)](_evaluate(node.left), _evaluate(node.right))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _OPERATORS:
        return _OPERATORS[type(node.op)](_evaluate(node.operand))
    raise ToolFailure("invalid_expression", "only numbers, + - * / and parentheses are allowed")


def calculate(_: ToolContext, request: CalculateRequest) -> Calculation:
    try:
        result = round(_evaluate(ast.parse(request.expression, mode="eval").body), 2)
        return Calculation(expression=" ".join(request.expression.split()), result=result)
    except (SyntaxError, ZeroDivisionError) as error:
        raise ToolFailure("invalid_expression", f"cannot calculate: {error}") from None


ASKS_ARITHMETIC = re.compile(
    r"\b(?:total|sum|altogether|in all|combined|add(?:ed)? up|difference|calculate|split|per (?:person|item|unit)|"
    r"how much (?:more|less|cheaper|in total|would i (?:save|get back)))\b|\d\s*[-+*/×÷]\s*\d|"
    r"一共|总共|合计|总计|加起来|差价|差多少|便宜多少|贵多少|算一下|平均", re.I)

CALCULATE_TOOLS: list[Tool[Any, Any]] = [
    Tool("calculate", "Calculate an arithmetic expression exactly, e.g. a total or a price difference.",
         CalculateRequest, calculate, asked_for=ASKS_ARITHMETIC),
]
