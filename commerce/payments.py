"""Payment handlers: a checkout is charged through one, by an opaque token; no card data is ever stored."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from pydantic import Field

from commerce.models import Model


class PaymentResult(Model):
    approved: bool
    reference: str = ""
    reason: str = ""


class CardDetails(Model):
    """A card an agent sent as the credential (UCP card credential): turned into a token at once, never stored."""

    number: str = Field(pattern=r"^[0-9]{12,19}$")
    expiry_month: int = Field(ge=1, le=12)
    expiry_year: int = Field(ge=2000, le=2200)


def luhn_valid(number: str) -> bool:
    digits = [int(digit) for digit in reversed(number)]
    return sum(d if i % 2 == 0 else (2 * d if d < 5 else 2 * d - 9) for i, d in enumerate(digits)) % 10 == 0


class PaymentHandler(Protocol):
    @property
    def id(self) -> str: ...

    def charge(self, token: str, amount: int, currency: str) -> PaymentResult: ...

    def needs_buyer(self, token: str) -> bool:
        """The processor says the card holder must confirm before any charge (a 3-D Secure challenge)."""
        ...

    def tokenize_card(self, card: CardDetails) -> str | None:
        """A one-time token for a card credential (the processor's vault); None: this handler takes tokens only."""
        ...


@dataclass(frozen=True)
class MockTokenHandler:
    """For tests and conformance runs: approves the tokens it was given, asks the buyer to confirm the ones that
    stand for a 3-D Secure challenge, declines every other. A card credential becomes a token it approves when the
    number passes the Luhn check, has not expired and is not a test card for declines."""

    id: str = "mock_payment_handler"
    approved_tokens: frozenset[str] = frozenset({"success_token"})
    challenged_tokens: frozenset[str] = frozenset({"escalate_token"})
    declined_cards: frozenset[str] = frozenset({"4000000000000002", "4000000000009995"})

    def needs_buyer(self, token: str) -> bool:
        return token in self.challenged_tokens

    def tokenize_card(self, card: CardDetails) -> str:
        now = datetime.now(UTC)
        good = (luhn_valid(card.number) and card.number not in self.declined_cards
                and (card.expiry_year, card.expiry_month) >= (now.year, now.month))
        return f"card_{'ok' if good else 'declined'}_{secrets.token_hex(8)}"  # nothing of the card is kept

    def charge(self, token: str, amount: int, currency: str) -> PaymentResult:
        if token not in self.approved_tokens and not token.startswith("card_ok_"):
            return PaymentResult(approved=False, reason="the payment token was declined")
        reference = hashlib.sha256(f"{token}:{amount}:{currency}".encode()).hexdigest()[:16]
        return PaymentResult(approved=True, reference=f"mock_{reference}")
