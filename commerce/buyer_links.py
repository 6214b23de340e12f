"""Signed links that hand an agent's checkout session or cart to its buyer, on the shop's checkout page (UCP
continue_url). A link names the owner and the session or cart; nothing else about it is trusted. It holds no time,
so every response names the same link; it is good while its session or cart is open."""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer

from commerce.models import Model
from shopassist.settings import Settings


class BuyerLink(Model):
    owner: str
    checkout_id: str | None = None
    cart_id: str | None = None


def _serializer(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(settings.secret.get_secret_value(), salt="shopassist-buyer-link")


def _url(settings: Settings, link: BuyerLink) -> str:
    return f"{settings.checkout_pages}/checkout/{_serializer(settings).dumps(link.model_dump(exclude_none=True))}"


def session_url(settings: Settings, owner: str, checkout_id: str) -> str:
    return _url(settings, BuyerLink(owner=owner, checkout_id=checkout_id))


def cart_url(settings: Settings, owner: str, cart_id: str) -> str:
    return _url(settings, BuyerLink(owner=owner, cart_id=cart_id))


def read_buyer_link(settings: Settings, token: str) -> BuyerLink | None:
    """None: forged, stale, or not a buyer link."""
    try:
        return BuyerLink.model_validate(_serializer(settings).loads(token))
    except (BadSignature, ValueError):
        return None
