"""What this business declares: the UCP version, the REST service, capabilities and payment handlers."""

from __future__ import annotations

from typing import Any

from ucp_sdk.models.schemas.ucp import BusinessSchema

from protocols.common.payments import MOCK_HANDLER_NAMESPACE
from protocols.common.payments import payment_handlers as usable_handlers
from protocols.ucp.signing import public_jwk
from shopassist.settings import Settings

VERSION = "2026-04-08"
SPEC = "https://ucp.dev/specification"
SCHEMAS = "https://ucp.dev/schemas"
SHOPPING = "dev.ucp.shopping"
CHECKOUT = f"{SHOPPING}.checkout"
EXTENSIONS = (f"{SHOPPING}.fulfillment", f"{SHOPPING}.discount", f"{SHOPPING}.buyer_consent")
ORDER = f"{SHOPPING}.order"
CART = f"{SHOPPING}.cart"
CATALOG = (f"{SHOPPING}.catalog.search", f"{SHOPPING}.catalog.lookup")


def payment_handlers(settings: Settings) -> dict[str, list[dict[str, Any]]]:
    handlers = [{"id": handler_id, "version": VERSION} for handler_id in usable_handlers(settings)]
    return {MOCK_HANDLER_NAMESPACE: handlers} if handlers else {}


def capabilities(names: tuple[str, ...]) -> dict[str, list[dict[str, Any]]]:
    return {name: [{"version": VERSION}] for name in names}


def declared(name: str) -> dict[str, Any]:
    """A capability as the profile declares it: its spec and schema on ucp.dev, the authority of 'dev.ucp'."""
    topic = name.removeprefix(f"{SHOPPING}.").replace(".", "/")
    entry = {"version": VERSION, "spec": f"{SPEC}/{topic}", "schema": f"{SCHEMAS}/shopping/{topic}.json"}
    return entry | ({"extends": CHECKOUT} if name in EXTENSIONS else {})


def business_profile(settings: Settings) -> dict[str, Any]:
    base = settings.public_base_url.rstrip("/")
    profile = {
        "version": VERSION,
        "services": {SHOPPING: [{"version": VERSION, "spec": SPEC, "transport": "rest", "endpoint": base},
                                {"version": VERSION, "spec": SPEC, "transport": "mcp", "endpoint": f"{base}/mcp/",
                                 "schema": f"https://ucp.dev/{VERSION}/services/shopping/mcp.openrpc.json"}]},
        "capabilities": {name: [declared(name)] for name in (CHECKOUT, *EXTENSIONS, ORDER, CART, *CATALOG)},
        "payment_handlers": payment_handlers(settings),
    }
    return {"ucp": BusinessSchema.model_validate(profile).model_dump(mode="json", by_alias=True, exclude_none=True),
            "signing_keys": [public_jwk(settings)]}  # what order webhooks are signed with


def checkout_metadata(settings: Settings) -> dict[str, Any]:
    return {"version": VERSION, "status": "success", "capabilities": capabilities((CHECKOUT, *EXTENSIONS)),
            "payment_handlers": payment_handlers(settings)}


def response_metadata(names: tuple[str, ...]) -> dict[str, Any]:
    return {"version": VERSION, "status": "success", "capabilities": capabilities(names)}
