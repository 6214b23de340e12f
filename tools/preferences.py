"""The signed-in shopper's stated preferences: note what they said, list what is kept, forget some or all.

Noting needs no confirmation step: it stores only what the shopper just said, the answer repeats it in one sentence,
and any item can be deleted in the same chat. Anonymous shoppers get nothing stored."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from commerce.preferences import (
    Preference,
    PreferenceKind,
    StatedPreference,
    delete_all_preferences,
    delete_preferences,
    list_preferences,
    matching,
    note_preferences,
)
from tools.base import Tool, ToolContext, ToolFailure


def _signed_in(context: ToolContext) -> str:
    if not context.shopper_id:
        raise ToolFailure("preferences_sign_in", "Preferences are kept only for a signed-in shopper.")
    return context.shopper_id


class NotePreferencesInput(BaseModel):
    """Remember what the signed-in shopper just said about themselves or someone they buy for: a size, a colour or
    material liked or avoided, a budget, a language. Only what they stated, never a guess."""

    model_config = ConfigDict(extra="forbid")
    stated: list[StatedPreference] = Field(min_length=1, max_length=12)


class PreferencesNoted(BaseModel):
    noted: list[StatedPreference]


class ListPreferencesInput(BaseModel):
    """What the assistant keeps about the signed-in shopper ('what do you know about me?')."""

    model_config = ConfigDict(extra="forbid")


class PreferenceList(BaseModel):
    preferences: list[Preference] = Field(description="Oldest first")


class ForgetPreferencesInput(BaseModel):
    """Delete the signed-in shopper's preferences that match ('forget my shoe size', 'delete the leather one'), or
    all of them."""

    model_config = ConfigDict(extra="forbid")
    kind: PreferenceKind | None = Field(None, description="e.g. 'size'")
    value: str | None = Field(None, max_length=128, description="e.g. 'leather'")
    category: str | None = Field(None, max_length=64, description="e.g. 'shoes'")
    everything: bool = False


class PreferencesForgotten(BaseModel):
    forgotten: list[Preference]
    remaining: int


def note(context: ToolContext, arguments: NotePreferencesInput) -> PreferencesNoted:
    shopper_id = _signed_in(context)
    with context.db.session() as session:
        note_preferences(session, shopper_id, arguments.stated)
    return PreferencesNoted(noted=arguments.stated)


def listed(context: ToolContext, arguments: ListPreferencesInput) -> PreferenceList:
    shopper_id = _signed_in(context)
    with context.db.session() as session:
        return PreferenceList(preferences=list_preferences(session, shopper_id))


def forget(context: ToolContext, arguments: ForgetPreferencesInput) -> PreferencesForgotten:
    shopper_id = _signed_in(context)
    with context.db.session() as session:
        kept = list_preferences(session, shopper_id)
        if arguments.everything:
            chosen = kept
        elif arguments.kind is None and arguments.value is None and arguments.category is None:
            raise ToolFailure("preference_not_found", "Say which preference to forget, or forget them all.")
        else:
            chosen = matching(kept, arguments.kind, arguments.value, arguments.category)
        if not chosen:
            raise ToolFailure("preference_not_found", "No saved preference of this shopper matches.")
        if arguments.everything:
            delete_all_preferences(session, shopper_id)
        else:
            delete_preferences(session, shopper_id, [preference.id for preference in chosen])
    return PreferencesForgotten(forgotten=chosen, remaining=len(kept) - len(chosen))


NOTE_PREFERENCES = Tool("note_preferences", "Remember a size, colour, material, budget or language the signed-in "
                        "shopper states about themselves or someone they buy for.", NotePreferencesInput, note,
                        discovery=True, runs_first=True)
LIST_PREFERENCES = Tool("list_preferences", "List what is remembered about the signed-in shopper's preferences.",
                        ListPreferencesInput, listed, discovery=True)
FORGET_PREFERENCES = Tool("forget_preferences", "Forget one or all of the signed-in shopper's saved preferences.",
                          ForgetPreferencesInput, forget, discovery=True)
PREFERENCE_TOOLS = [NOTE_PREFERENCES, LIST_PREFERENCES, FORGET_PREFERENCES]
