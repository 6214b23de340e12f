"""The payment handlers agents may pay through, whichever protocol they speak: the mock token handler where the
settings allow it (tests, conformance runs), none otherwise."""

from __future__ import annotations

from collections.abc import Mapping

from commerce.payments import MockTokenHandler, PaymentHandler
from shopassist.settings import Settings

MOCK_HANDLER_NAMESPACE = "dev.shopassist.mock_payment"


def payment_handlers(settings: Settings) -> Mapping[str, PaymentHandler]:
    handlers: list[PaymentHandler] = [MockTokenHandler()] if settings.mock_payments else []
    return {handler.id: handler for handler in handlers}
