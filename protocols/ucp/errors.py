"""UCP error bodies: `ucp` metadata with status 'error' and at least one message, for every refusal."""

from __future__ import annotations

from typing import Any, Literal

from fastapi.responses import JSONResponse
from pydantic import ValidationError
from ucp_sdk.models.schemas.shopping.types.error_response import ErrorResponse

from commerce.checkout import CheckoutError, CheckoutNotFound, InvalidTransition, PaymentFailed
from commerce.idempotency import IdempotencyConflict
from protocols.common.gate import Refused
from protocols.ucp.profile import VERSION

Severity = Literal["recoverable", "requires_buyer_input", "requires_buyer_review", "unrecoverable"]
STATUS_OF_CHECKOUT_ERROR: dict[type[CheckoutError], int] = {CheckoutNotFound: 404, InvalidTransition: 409,
                                                             PaymentFailed: 402}


class UcpError(Exception):
    def __init__(self, status_code: int, code: str, content: str, path: str | None = None,
                 severity: Severity = "recoverable") -> None:
        super().__init__(content)
        self.status_code = status_code
        self.code = code
        self.content = content
        self.path = path
        self.severity = severity

    @classmethod
    def of_checkout(cls, error: CheckoutError) -> UcpError:
        status = STATUS_OF_CHECKOUT_ERROR.get(type(error), 422)
        severity: Severity = "unrecoverable" if status in (404, 409) else "recoverable"
        return cls(status, error.code, error.message, severity=severity)

    @classmethod
    def of_refusal(cls, refused: Refused) -> UcpError:
        return cls(refused.status_code, refused.code, refused.message)

    @classmethod
    def of_validation(cls, error: ValidationError) -> UcpError:
        first = error.errors()[0]
        path = "$" + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in first["loc"])
        return cls(400, "invalid_request", f"{path}: {first['msg']}", path=path)

    @classmethod
    def conflict(cls, error: IdempotencyConflict) -> UcpError:
        return cls(409, "idempotency_conflict", f"Idempotency-Key {error} was used with a different request body",
                   severity="unrecoverable")

    def body(self) -> dict[str, Any]:
        message = {"type": "error", "code": self.code, "content": self.content, "severity": self.severity,
                   **({"path": self.path} if self.path else {})}
        error = ErrorResponse.model_validate({"ucp": {"version": VERSION, "status": "error"}, "messages": [message]})
        return error.model_dump(mode="json", exclude_none=True)

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status_code)
