"""llama.cpp in-process, wrapped as a LangChain chat model (one Llama instance, JSON-schema grammar, streaming)."""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# With a busy core, OpenMP's spinning threads make decode collapse (~10 -> 0.3 tok/s); must precede the import.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from langchain_core.callbacks import CallbackManagerForLLMRun  # noqa: E402
from langchain_core.language_models import BaseChatModel  # noqa: E402
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage  # noqa: E402
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult  # noqa: E402
from pydantic import ConfigDict, PrivateAttr  # noqa: E402

from agent.llama_probe import choose_native_build

log = logging.getLogger(__name__)
_ROLES = {"system": "system", "human": "user", "ai": "assistant", "tool": "user"}


def to_llama_messages(messages: list[BaseMessage]) -> list[dict[str, str]]:
    return [{"role": _ROLES.get(message.type, "user"), "content": str(message.content)} for message in messages]


def llama_response_format(response_format: dict[str, Any] | None) -> dict[str, Any] | None:
    """Accept the OpenAI `json_schema` shape the agent uses and turn it into llama.cpp's grammar request."""
    if not response_format:
        return None
    if response_format.get("type") == "json_schema":
        return {"type": "json_object", "schema": response_format["json_schema"]["schema"]}
    return response_format


class LlamaChatModel(BaseChatModel):
    """A chat model over one shared `llama_cpp.Llama`; calls are serialized because a context is not reentrant."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_path: Path
    model_name: str
    n_threads: int = 2
    n_ctx: int = 4096
    max_tokens: int = 384
    temperature: float = 0.0
    native_build: Path | None = None  # a faster llama.cpp build to use where its probe passes

    _llama: Any = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    @property
    def llama(self) -> Any:
        if self._llama is None:
            choose_native_build(self.model_path, self.native_build)
            from llama_cpp import Llama

            self._llama = Llama(
                model_path=str(self.model_path), n_ctx=self.n_ctx, n_threads=self.n_threads,
                n_threads_batch=self.n_threads, n_batch=256, verbose=False,
            )
        return self._llama

    def warm_prefix(self, system_prompt: str) -> None:
        """Load (or compute once and save) the KV state of the system prompt, so no turn pays its prefill.

        The state file is our own cache (pickled `LlamaState`), keyed by model, context size and prompt text.
        """
        key = hashlib.sha256(f"{self.model_path.name}|{self.n_ctx}|{system_prompt}".encode()).hexdigest()[:16]
        path = self.model_path.parent / f"prefix-{key}.state"  # next to the model it belongs to
        with self._lock:
            if path.exists():
                try:
                    self.llama.load_state(pickle.loads(path.read_bytes()))
                    return
                except Exception:  # a stale or truncated cache file is recomputed below
                    log.warning("could not load %s; recomputing the prompt prefix", path)
            messages = [{"role": "system", "content": system_prompt}, {"role": "user", "content": "hi"}]
            self.llama.create_chat_completion(messages=messages, max_tokens=1)
            partial = path.with_suffix(f".partial.{os.getpid()}")
            partial.write_bytes(pickle.dumps(self.llama.save_state()))
            partial.replace(path)

    def _request(self, messages: list[BaseMessage], stop: list[str] | None, **kwargs: Any) -> dict[str, Any]:
        request = {
            "messages": to_llama_messages(messages),
            "response_format": llama_response_format(kwargs.get("response_format")),
            "max_tokens": kwargs.get("max_tokens", self.max_tokens),
            "temperature": kwargs.get("temperature", self.temperature),
            "stop": stop,
        }
        return request

    def _generate(
        self, messages: list[BaseMessage], stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any,
    ) -> ChatResult:
        request = self._request(messages, stop, **kwargs)
        if (deadline := kwargs.get("deadline")) is not None:
            return self._generate_until(request, deadline)
        with self._lock:
            response = self.llama.create_chat_completion(**request)
        choice = response["choices"][0]
        message = AIMessage(content=choice["message"]["content"] or "",
                            response_metadata={"finish_reason": choice.get("finish_reason"),
                                               "model_name": self.model_name})
        return ChatResult(generations=[ChatGeneration(message=message)], llm_output={"usage": response.get("usage")})

    def _generate_until(self, request: dict[str, Any], deadline: float) -> ChatResult:
        """Decode until done or until `deadline` (time.monotonic()), whichever comes first: leaving the stream stops
        generation. The prompt's prefill cannot be interrupted."""
        parts: list[str] = []
        finish = "deadline"
        with self._lock:
            for part in self.llama.create_chat_completion(**request, stream=True):
                choice = part["choices"][0]
                parts.append(choice["delta"].get("content") or "")
                if choice.get("finish_reason"):
                    finish = choice["finish_reason"]
                    break
                if time.monotonic() > deadline:
                    break
        message = AIMessage(content="".join(parts), response_metadata={"finish_reason": finish,
                                                                        "model_name": self.model_name})
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self, messages: list[BaseMessage], stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        request = self._request(messages, stop, **kwargs)
        with self._lock:
            for part in self.llama.create_chat_completion(**request, stream=True):
                text = part["choices"][0]["delta"].get("content") or ""
                if not text:
                    continue
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=text))
                if run_manager:
                    run_manager.on_llm_new_token(text, chunk=chunk)
                yield chunk
