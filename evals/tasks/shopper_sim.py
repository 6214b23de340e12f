"""The simulated shopper: an LLM that plays a customer from a τ-bench style task instruction (LLM-driven, so
its runs vary; results are reported as pass^k over repeated trials)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Protocol

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

STOP = "###STOP###"
# Adapted from τ-bench's user simulation prompt (tau_bench/envs/user.py, MIT): the shopper reveals the task
# gradually, never invents facts the instruction lacks, and ends with the stop token.
SHOPPER_PROMPT = """You are a customer chatting with an online store's assistant. You are NOT the assistant.

Your task (keep it to yourself, reveal it gradually, only what is needed at each step):
{instruction}

Rules:
- Write one short customer message per reply, in the first person, as a customer would type it.
- Do not invent details the task does not give you; if asked for something you don't know, say you don't know.
- When the assistant proposes an action and asks you to confirm, answer "yes" if it matches your task, else "no".
- When your task is done, or cannot be done, reply with exactly {stop}
"""


CUE = "(You are the customer. Write your next message to the store's assistant; do not repeat its words.)"


class ShopperModel(Protocol):
    async def next_message(self, transcript: list[tuple[str, str]]) -> str: ...


@dataclass
class LLMShopper:
    """Drives any LangChain chat model (OpenAI-compatible, embedded llama.cpp) as the shopper."""

    model: BaseChatModel
    instruction: str
    timeout_s: float = 120.0

    def messages(self, transcript: list[tuple[str, str]]) -> list[BaseMessage]:
        # Roles are flipped: to the shopper model, the assistant's words are the "user" side.
        messages: list[BaseMessage] = [SystemMessage(SHOPPER_PROMPT.format(instruction=self.instruction, stop=STOP))]
        messages.append(HumanMessage("Hi! How can I help you today?"))
        for role, text in transcript:
            messages.append(AIMessage(text) if role == "shopper" else HumanMessage(text))
        # Small models otherwise echo the assistant's last message back instead of answering it as the customer.
        last = messages[-1]
        if isinstance(last, HumanMessage):
            messages[-1] = HumanMessage(f"{last.content}\n\n{CUE}")
        return messages

    async def next_message(self, transcript: list[tuple[str, str]]) -> str:
        reply = await asyncio.wait_for(self.model.ainvoke(self.messages(transcript)), self.timeout_s)
        return str(reply.content).strip()


@dataclass
class ScriptedShopper:
    """SCRIPTED FAKE SHOPPER for tests: says its lines in order, then the stop token."""

    lines: list[str]
    heard: list[str] = field(default_factory=list)

    async def next_message(self, transcript: list[tuple[str, str]]) -> str:
        self.heard = [text for role, text in transcript if role == "assistant"]
        said = sum(1 for role, _ in transcript if role == "shopper")
        return self.lines[said] if said < len(self.lines) else STOP
