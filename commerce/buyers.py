"""Known buyers: the shopper an agent's key acts for, and a shopper's saved addresses offered at checkout.

Who the buyer is comes only from the agent's credentials (a key linked to one shopper) or the shop's signed buyer
link, never from an email or name in the request: anyone can type another person's email.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from commerce.checkout_models import Destination
from commerce.tables import AgentRow, SavedAddressRow


def agent_shopper(session: Session, agent_id: str) -> str | None:
    """The shopper this agent's key was linked to, if any."""
    return session.scalar(select(AgentRow.shopper_id).where(AgentRow.id == agent_id)) if agent_id else None


def saved_addresses(session: Session, shopper_id: str | None) -> list[Destination]:
    if shopper_id is None:
        return []
    rows = session.scalars(select(SavedAddressRow).where(SavedAddressRow.shopper_id == shopper_id)
                           .order_by(SavedAddressRow.position, SavedAddressRow.id))
    return [Destination.model_validate({**row.address, "id": row.id}) for row in rows]


def with_saved_destination(destination: Destination | None, saved: list[Destination]) -> Destination | None:
    """A destination sent as an id alone (`selected_destination_id: 'addr_2'`) is that saved address."""
    if destination is None or destination.complete or not destination.id:
        return destination
    return next((address for address in saved if address.id == destination.id), destination)
