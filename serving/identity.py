"""Shopper identity: the host shop signs its shopper's id with the shared secret; we verify signature and age."""

from __future__ import annotations

import hmac

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from shopassist.settings import Settings

_SALT = "shopassist.shopper"


class IdentityError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret.get_secret_value(), salt=_SALT)


def issue_token(settings: Settings, shopper_id: str) -> str:
    """What the host shop's backend does for a signed-in shopper (any itsdangerous port works the same)."""
    return _serializer(settings).dumps({"sub": shopper_id})


def verify_token(settings: Settings, token: str) -> str:
    """The shopper id inside a valid, unexpired token; IdentityError otherwise."""
    try:
        claims = _serializer(settings).loads(token, max_age=settings.identity_ttl_s)
    except SignatureExpired:
        raise IdentityError("token_expired", "Your sign-in has expired. Please reload the page.") from None
    except BadSignature:
        raise IdentityError("token_invalid", "The shopper token is not valid.") from None
    shopper_id = claims.get("sub") if isinstance(claims, dict) else None
    if not isinstance(shopper_id, str) or not shopper_id:
        raise IdentityError("token_invalid", "The shopper token is not valid.")
    return shopper_id


def shopper_from_token(settings: Settings, token: str | None) -> str | None:
    """None for anonymous (no token); raises IdentityError for a forged or expired one."""
    return verify_token(settings, token) if token else None


def is_operator(settings: Settings, presented: str | None) -> bool:
    expected = settings.operator_token.get_secret_value()
    return bool(presented) and hmac.compare_digest(presented.encode(), expected.encode())
