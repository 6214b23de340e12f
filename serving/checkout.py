"""`/checkout/{token}`: the signed cart a chat's checkout link carries, and a hand-over to the shop's checkout."""

from __future__ import annotations

import asyncio
from html import escape
from pathlib import Path
from string import Template

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from commerce.db import Database
from serving.console import services_of
from shopassist.settings import Settings
from tools.base import ToolFailure
from tools.cart import CartView, cart_view, read_checkout_token

PAGE = Template((Path(__file__).parent / "templates" / "checkout.html").read_text(encoding="utf-8"))

router = APIRouter()


def _money(amount: float, settings: Settings) -> str:
    return f"{amount:,.2f} {escape(settings.shop_currency)}"


def _summary(view: CartView, token: str, settings: Settings) -> str:
    rows = "".join(
        f"<tr><td>{escape(line.name)}"
        f"{' (' + escape(', '.join(line.options.values())) + ')' if line.options else ''}"
        f"{'' if line.available else ' <span class=unavailable>out of stock</span>'}</td>"
        f"<td class=num>{line.quantity}</td><td class=num>{_money(line.price, settings)}</td></tr>"
        for line in view.lines
    )
    table = (f"<table><tr><th>Item</th><th class=num>Qty</th><th class=num>Price</th></tr>{rows}"
             f"<tr class=total><td>Total</td><td></td><td class=num>{_money(view.total, settings)}</td></tr></table>")
    if not settings.shop_checkout_url:
        return table + "<p class=note>This shop has not set up online checkout yet.</p>"
    return table + (f'<form method="get" action="{escape(settings.shop_checkout_url)}">'
                    f'<input type="hidden" name="cart" value="{escape(token)}">'
                    f"<button type=submit>Continue to payment</button></form>")


def _view(db: Database, settings: Settings, token: str) -> CartView:
    cart = read_checkout_token(settings, token)
    with db.session() as session:
        return cart_view(session, settings, cart)


@router.get("/checkout/{token}", response_class=HTMLResponse, include_in_schema=False)
async def checkout_page(token: str, request: Request) -> HTMLResponse:
    """A forged or expired link gets a 400 page; prices and stock are read now, not from the link."""
    services = services_of(request)
    try:
        view = await asyncio.to_thread(_view, services.db, services.settings, token)
    except ToolFailure as failure:
        return HTMLResponse(PAGE.substitute(body=f"<p>{escape(failure.reason)}</p>"), status_code=400)
    return HTMLResponse(PAGE.substitute(body=_summary(view, token, services.settings)))
