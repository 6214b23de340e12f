"""Verifying the shopper: by session, email, or name + zip; one shopper per conversation."""

from __future__ import annotations

from tests.tools.conftest import Shop
from tools.base import ToolError
from tools.identity import VerifiedShopper, verified_identity
from tools.registry import tool_by_name


def run(shop: Shop, name: str, arguments: dict, shopper_id: str | None = None) -> object:
    tool = tool_by_name(name)
    assert tool is not None
    return tool.run(shop.context(shopper_id), arguments)


def test_lookups_return_a_verified_identity_for_the_session_to_store(shop: Shop) -> None:
    by_email = run(shop, "find_user_id_by_email", {"email": " Alice@Example.com"})
    assert by_email == VerifiedShopper(user_id="alice_1", verified_by="email")
    assert verified_identity(by_email) == "alice_1"
    by_name = run(shop, "find_user_id_by_name_zip", {"first_name": "bob", "last_name": "JONES", "zip": "20002"})
    assert verified_identity(by_name) == "bob_2"
    assert verified_identity(run(shop, "find_user_id_by_session", {}, shopper_id="bob_2")) == "bob_2"


def test_failed_lookups_verify_nobody(shop: Shop) -> None:
    for name, arguments in [("find_user_id_by_email", {"email": "mallory@example.com"}),
                            ("find_user_id_by_name_zip", {"first_name": "Bob", "last_name": "Jones", "zip": "62701"}),
                            ("find_user_id_by_session", {})]:
        result = run(shop, name, arguments)
        assert isinstance(result, ToolError) and verified_identity(result) is None


def test_a_verified_conversation_cannot_switch_to_another_shopper(shop: Shop) -> None:
    result = run(shop, "find_user_id_by_email", {"email": "bob@example.com"}, shopper_id="alice_1")
    assert isinstance(result, ToolError) and result.code == "one_shopper_per_conversation"
    same = run(shop, "find_user_id_by_email", {"email": "alice@example.com"}, shopper_id="alice_1")
    assert verified_identity(same) == "alice_1"
