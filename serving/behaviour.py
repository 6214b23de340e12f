"""The shopper's `event` frames (view, click, add to cart on a product card) recorded into their profile."""

from __future__ import annotations

from datetime import UTC, datetime

from commerce.db import Database
from commerce.models import BehaviourEvent, EventKind
from commerce.tables import ConversationRow, ProductRow
from ranking.profile_store import record_event
from serving import conversations as store
from serving.conversations import Conversation, ConversationError
from serving.protocol import ErrorFrame, EventFrame
from serving.services import Services
from serving.turns import error_frame


def record_card_event(db: Database, conversation_id: str, frame: EventFrame, half_life_days: float) -> bool:
    """Record the event for the conversation's shopper, read now (a shopper verified in the chat since the socket
    opened counts). False when the conversation is anonymous: nothing is stored and that is not an error."""
    with db.session() as session:
        conversation = session.get(ConversationRow, conversation_id)
        shopper_id = conversation.shopper_id if conversation else None
        known = shopper_id is not None and session.get(ProductRow, frame.product_id) is not None
    if shopper_id is None:
        return False
    if not known:
        raise ConversationError("unknown_product", f"No product with id {frame.product_id!r}; nothing recorded.")
    record_event(db, BehaviourEvent(shopper_id=shopper_id, kind=EventKind(frame.kind), product_id=frame.product_id,
                                    at=datetime.now(UTC)), half_life_days)
    return True


async def handle_event(services: Services, conversation: Conversation, frame: EventFrame) -> ErrorFrame | None:
    """An error frame for a refused event (rate limit, unknown product); None when recorded or ignored."""
    if not await services.limiter.allow(f"events:{conversation.id}", services.settings.events_per_minute):
        return error_frame("events_rate_limited", "Too many product events from this session; some were dropped.")
    try:
        await store.in_db_thread(services.db, record_card_event, conversation.id, frame,
                                 services.settings.profile_half_life_days)
    except ConversationError as error:
        return error_frame(error.code, error.message)
    if frame.kind != "view":  # a card shown is counted from the turn that showed it
        attribution = services.turns.recent.of(conversation.id, conversation.shopper_id, conversation.language)
        services.turns.attribution.add([attribution.event(kind=frame.kind, product_id=frame.product_id)])
    return None
