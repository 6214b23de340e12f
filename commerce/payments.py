"""Payment handlers: a checkout is charged through one, by an opaque token; no card data is ever stored."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Protocol

from commerce.models import Model


class PaymentResult(Model):
    approved: bool
    reference: str = ""
    reason: str = ""


class PaymentHandler(Protocol):
    @property
    def id(self) -> str: ...

    def charge(self, token: str, amount: int, currency: str) -> PaymentResult: ...

    def needs_buyer(self, token: str) -> bool:
        """The processor says the card holder must confirm before any charge (a 3-D Secure challenge)."""
        ...


@dataclass(frozen=True)
class MockTokenHandler:
    """For tests and conformance runs: approves the tokens it was given, asks the buyer to confirm the ones that
    stand for a 3-D Secure challenge, declines every other."""

    id: str = "mock_payment_handler"
    approved_tokens: frozenset[str] = frozenset({"success_token"})
    challenged_tokens: frozenset[str] = frozenset({"escalate_token"})

    def needs_buyer(self, token: str) -> bool:
        return token in self.challenged_tokens

    def charge(self, token: str, amount: int, currency: str) -> PaymentResult:
        if token not in self.approved_tokens:
            return PaymentResult(approved=False, reason="the payment token was declined")
        reference = hashlib.sha256(f"{token}:{amount}:{currency}".encode()).hexdigest()[:16]
        return PaymentResult(approved=True, reference=f"mock_{reference}")
