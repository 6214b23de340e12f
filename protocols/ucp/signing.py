"""The business's signing key (ES256, P-256) and RFC 9421 HTTP Message Signatures on the webhooks it sends.

The key is derived from the shop's secret, so every replica signs with the same key and /.well-known/ucp
advertises it (as a JWK in `signing_keys`) without a key file to distribute. Covered components: "@method",
"@authority", "@path", "@query" (when the URL has one), "content-digest" (RFC 9530, SHA-256 of the raw body),
"content-type", "idempotency-key" and "ucp-agent".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from functools import lru_cache
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from shopassist.settings import Settings

SIGNED_HEADERS = ("content-digest", "content-type", "idempotency-key", "ucp-agent")
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@lru_cache(maxsize=8)
def _key(secret: str) -> ec.EllipticCurvePrivateKey:
    seed = hmac.new(secret.encode(), b"shopassist ucp webhook signing key", hashlib.sha256).digest()
    return ec.derive_private_key(int.from_bytes(seed, "big") % (P256_ORDER - 1) + 1, ec.SECP256R1())


def signing_key(settings: Settings) -> ec.EllipticCurvePrivateKey:
    return _key(settings.secret.get_secret_value())


def public_jwk(settings: Settings) -> dict[str, str]:
    numbers = signing_key(settings).public_key().public_numbers()
    x, y = _b64url(numbers.x.to_bytes(32, "big")), _b64url(numbers.y.to_bytes(32, "big"))
    thumbprint = hashlib.sha256(f'{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}'.encode()).digest()  # RFC 7638
    return {"kid": _b64url(thumbprint)[:16], "kty": "EC", "crv": "P-256", "x": x, "y": y, "use": "sig",
            "alg": "ES256"}


def content_digest(body: bytes) -> str:
    return f"sha-256=:{base64.b64encode(hashlib.sha256(body).digest()).decode()}:"


def _components(url: str, headers: dict[str, str]) -> list[tuple[str, str]]:
    parts = urlsplit(url)
    derived = [("@method", "POST"), ("@authority", parts.netloc.lower()), ("@path", parts.path or "/")]
    if parts.query:
        derived.append(("@query", f"?{parts.query}"))
    lowered = {name.lower(): value.strip() for name, value in headers.items()}
    return derived + [(name, lowered[name]) for name in SIGNED_HEADERS if name in lowered]


def signed_headers(settings: Settings, url: str, body: bytes, headers: dict[str, str],
                   created: int | None = None) -> dict[str, str]:
    """`headers` for a POST of `body` to `url`, plus Content-Digest, Signature-Input and Signature covering the
    method, authority, path (and query), the digest, and the Content-Type, Idempotency-Key and UCP-Agent sent."""
    headers = {**headers, "Content-Digest": content_digest(body)}
    components = _components(url, headers)
    covered = " ".join(f'"{name}"' for name, _ in components)
    params = f'({covered});created={created or int(time.time())};keyid="{public_jwk(settings)["kid"]}"'
    base = "\n".join([*(f'"{name}": {value}' for name, value in components), f'"@signature-params": {params}'])
    der = signing_key(settings).sign(base.encode(), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    raw = r.to_bytes(32, "big") + s.to_bytes(32, "big")  # RFC 9421 §3.3.4: ecdsa-p256-sha256 is r || s
    return {**headers, "Signature-Input": f"sig1={params}", "Signature": f"sig1=:{base64.b64encode(raw).decode()}:"}
