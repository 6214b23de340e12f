"""ACP error bodies (`type`, `code`, `message`, `param`) for every refusal, and the status code each one gets."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi.responses import JSONResponse
from pydantic import ValidationError

from commerce.checkout import CheckoutError, CheckoutNotFound, InvalidTransition, PaymentFailed
from protocols.acp.models import Error, ErrorType

# The spec answers 405 to a cancel of a finished session; every other move a session's state refuses gets it too.
STATUS_OF_CHECKOUT_ERROR: dict[type[CheckoutError], int] = {CheckoutNotFound: 404, InvalidTransition: 405,
                                                             PaymentFailed: 402}


class AcpError(Exception):
    def __init__(self, status_code: int, code: str, message: str, param: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.param = param
        self.headers = headers or {}
        # a 5xx is the shop's own failure, never the request's
        self.type: ErrorType = "processing_error" if status_code >= 500 else "invalid_request"

    @classmethod
    def of_checkout(cls, error: CheckoutError) -> AcpError:
        code = "payment_declined" if isinstance(error, PaymentFailed) else error.code
        return cls(STATUS_OF_CHECKOUT_ERROR.get(type(error), 400), code, error.message)

    @classmethod
    def of_validation(cls, error: ValidationError, names: Mapping[str, str] | None = None) -> AcpError:
        """`names`: where a field the error names came from in the request, e.g. the core's 'lines' → 'line_items'."""
        first, names = error.errors()[0], names or {}
        param = "$" + "".join(f"[{part}]" if isinstance(part, int) else f".{names.get(part, part)}"
                              for part in first["loc"])
        return cls(400, "invalid", f"{param}: {first['msg']}", param=param)

    def response(self) -> JSONResponse:
        error = Error(type=self.type, code=self.code, message=self.message, param=self.param)
        return JSONResponse(error.model_dump(exclude_none=True), status_code=self.status_code, headers=self.headers)
