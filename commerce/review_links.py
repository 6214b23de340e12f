"""Signed links to an agent's checkout session that only its buyer may pay (the shop's review rule): UCP's
continue_url. The link names the session and its owner; nothing else about it is trusted."""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeTimedSerializer

from commerce.models import Model
from shopassist.settings import Settings

MAX_AGE_S = 7 * 86_400


class ReviewTarget(Model):
    owner: str
    checkout_id: str


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret.get_secret_value(), salt="shopassist-buyer-review")


def review_url(settings: Settings, owner: str, checkout_id: str) -> str:
    token = _serializer(settings).dumps(ReviewTarget(owner=owner, checkout_id=checkout_id).model_dump())
    return f"{settings.checkout_pages}/checkout/{token}"


def read_review_token(settings: Settings, token: str) -> ReviewTarget | None:
    """None: forged, stale, or not a review link."""
    try:
        return ReviewTarget.model_validate(_serializer(settings).loads(token, max_age=MAX_AGE_S))
    except (BadSignature, ValueError):
        return None
