"""Shoe sizes across systems: 'EU 42', 'UK 9', '42码' read as US sizes too, for a shop sized in US.

No well-kept package on PyPI converts shoe sizes, so the table is the common men's chart (a Brannock-style chart as
the large sports brands publish it). A converted size that falls between two whole sizes also names the whole size
above it, so a shop that stocks whole sizes only still matches.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

SizeSystem = Literal["US", "EU", "UK"]

# EU (and Chinese 码, which follow EU numbering for shoes) → US men's.
_EU_TO_US = {38: 5.5, 39: 6.5, 40: 7.0, 41: 8.0, 42: 8.5, 43: 9.5, 44: 10.0, 45: 11.0, 46: 12.0, 47: 13.0}
_UK_TO_US_OFFSET = 1.0
MIN_EU_SIZE = 30  # no US or UK shoe size is this large

_FOREIGN = re.compile(
    r"(?<![A-Za-z])(?P<system>eu|eur|uk)\s*(?:size\s*)?(?P<number>\d{1,2}(?:\.5)?)(?!\d)"
    r"|(?:size|sz)\s*(?P<number2>\d{1,2}(?:\.5)?)\s*(?P<system2>eu|eur|uk)(?![a-z])"
    r"|(?P<number3>3[5-9]|4[0-8])\s*码",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ConvertedSize:
    """A size the shopper gave in another system, and the shop's sizes it comes to."""

    asked: str  # as the shopper wrote it, e.g. 'EU 42'
    system: SizeSystem
    us: float  # the US size it converts to, e.g. 8.5
    sizes: tuple[str, ...]  # the size values to look for, e.g. ('42', '8.5', '9') for EU 42


def _us_from(system: SizeSystem, number: float) -> float | None:
    if system == "UK":
        return number + _UK_TO_US_OFFSET
    whole = math.floor(number)
    if whole not in _EU_TO_US:
        return None
    return _EU_TO_US[whole] + (0.5 if number - whole >= 0.5 else 0.0)


def _shop_values(us: float) -> tuple[str, ...]:
    """The US size, and for a half size the whole size above it: between two sizes, the larger one fits."""
    if us.is_integer():
        return (f"{us:g}",)
    return (f"{us:g}", f"{math.ceil(us)}")


def us_shoe_size(value: str) -> str | None:
    """A bare shoe size too large for US sizing read as EU ('42' → '9'); None when it is already a US size."""
    try:
        number = float(value)
    except ValueError:
        return None
    us = _us_from("EU", number) if number >= MIN_EU_SIZE else None
    return _shop_values(us)[-1] if us is not None else None


def foreign_shoe_size(text: str) -> ConvertedSize | None:
    """A shoe size in EU, UK or Chinese numbering in the text, converted to US; None when there is none."""
    found = _FOREIGN.search(text)
    if found is None:
        return None
    if found.group("number3"):
        system: SizeSystem = "EU"
        number = float(found.group("number3"))
    else:
        code = (found.group("system") or found.group("system2")).upper()
        system = "UK" if code == "UK" else "EU"
        number = float(found.group("number") or found.group("number2"))
    us = _us_from(system, number)
    if us is None:
        return None
    # An EU number can't be a US size, so it stays among the sizes looked for: a shop sized in EU matches it.
    as_given = (f"{number:g}",) if system == "EU" else ()
    return ConvertedSize(asked=found.group(0).strip(), system=system, us=us, sizes=as_given + _shop_values(us))
