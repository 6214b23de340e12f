"""What this business declares: the UCP version, the REST service, capabilities and payment handlers."""

from __future__ import annotations

from typing import Any

from ucp_sdk.models.schemas.ucp import BusinessSchema

from commerce.payments import MockTokenHandler
from shopassist.settings import Settings

VERSION = "2026-04-08"
SPEC = "https://ucp.dev/specification"
SHOPPING = "dev.ucp.shopping"
CHECKOUT = f"{SHOPPING}.checkout"
EXTENSIONS = (f"{SHOPPING}.fulfillment", f"{SHOPPING}.discount")
ORDER = f"{SHOPPING}.order"
CATALOG = (f"{SHOPPING}.catalog.search", f"{SHOPPING}.catalog.lookup")
MOCK_HANDLER_NAMESPACE = "dev.shopassist.mock_payment"


def payment_handlers(settings: Settings) -> dict[str, list[dict[str, Any]]]:
    if not settings.mock_payments:
        return {}
    return {MOCK_HANDLER_NAMESPACE: [{"id": MockTokenHandler().id, "version": VERSION}]}


def capabilities(names: tuple[str, ...]) -> dict[str, list[dict[str, Any]]]:
    return {name: [{"version": VERSION}] for name in names}


def business_profile(settings: Settings) -> dict[str, Any]:
    base = settings.public_base_url.rstrip("/")
    declared = {
        "version": VERSION,
        "services": {SHOPPING: [{"version": VERSION, "spec": SPEC, "transport": "rest", "endpoint": base}]},
        "capabilities": {**capabilities((CHECKOUT, ORDER, *CATALOG)),
                         **{name: [{"version": VERSION, "extends": CHECKOUT}] for name in EXTENSIONS}},
        "payment_handlers": payment_handlers(settings),
    }
    return {"ucp": BusinessSchema.model_validate(declared).model_dump(mode="json", by_alias=True,
                                                                       exclude_none=True)}


def checkout_metadata(settings: Settings) -> dict[str, Any]:
    return {"version": VERSION, "status": "success", "capabilities": capabilities((CHECKOUT, *EXTENSIONS)),
            "payment_handlers": payment_handlers(settings)}


def response_metadata(names: tuple[str, ...]) -> dict[str, Any]:
    return {"version": VERSION, "status": "success", "capabilities": capabilities(names)}
