"""The one factory that builds the chat model from settings: embedded llama.cpp, OpenAI-compatible (vLLM), scripted."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from langchain_core.language_models import BaseChatModel

from agent.llama_probe import choose_native_build
from agent.model_files import ensure_model_file, known_model
from shopassist.settings import Settings


class LLMConfigError(RuntimeError):
    """The configured model cannot be found or loaded."""


def resolve_gguf(settings: Settings) -> Path:
    """`llm_model` is a path to a .gguf file or the name (prefix) of a model shipped as PyPI parts."""
    candidate = Path(settings.llm_model).expanduser()
    if candidate.suffix == ".gguf":
        if not candidate.is_file():
            raise LLMConfigError(f"SHOPASSIST_LLM_MODEL points to a missing file: {candidate}")
        return candidate
    return ensure_model_file(settings.model_cache_dir, known_model(settings.llm_model))


@lru_cache(maxsize=4)
def _embedded(path: Path, threads: int, context: int, native_build: Path | None = None) -> BaseChatModel:
    from agent.llama_chat import LlamaChatModel

    # Cached so a process holds one Llama instance (and one KV cache) per model file; the native library is probed
    # when the instance is first loaded.
    return LlamaChatModel(model_path=path, model_name=path.stem, n_threads=threads, n_ctx=context,
                          native_build=native_build)


def build_chat_model(settings: Settings, own_instance: bool = False) -> BaseChatModel:
    """`own_instance`: an embedded model with a KV cache of its own, for a second party in the same process (the
    simulated shopper): sharing one would evict the agent's system-prompt prefix on every turn."""
    if settings.llm_backend == "embedded":
        embedded = _embedded.__wrapped__ if own_instance else _embedded
        return embedded(resolve_gguf(settings), settings.llm_threads, settings.llm_context, settings.llm_native_build)
    if settings.llm_backend == "openai":
        from langchain_openai import ChatOpenAI

        # "Connection: close": LangChain shares one pooled client per URL across event loops, and a connection kept
        # alive from a finished `asyncio.run` breaks the next one (evals, scripts); a connect per call costs ~1 ms.
        return ChatOpenAI(
            model=settings.llm_model, base_url=settings.llm_base_url, api_key=settings.llm_api_key,
            # langchain-openai ≥ 1.7 also cuts a stream after 120 s without a chunk: a cold vLLM-on-CPU prefill
            # takes longer, and our own limit is llm_timeout_s.
            timeout=settings.llm_timeout_s, stream_chunk_timeout=settings.llm_timeout_s,
            temperature=0.0, max_retries=1, streaming=True,
            default_headers={"Connection": "close"},
        )
    from agent.scripted_backend import ScriptedBenchModel

    return ScriptedBenchModel(tokens_per_s=settings.scripted_tokens_per_s)


def check_embedded_model(settings: Settings) -> None:
    """For commands that start the agent: a model that cannot run here fails now with its reason, before this
    process loads the native library (where it would die by a signal instead)."""
    if settings.llm_backend == "embedded":
        choose_native_build(resolve_gguf(settings), settings.llm_native_build)


def model_label(settings: Settings) -> str:
    """The model name recorded on every turn."""
    labels = {"embedded": f"llama.cpp/{settings.llm_model}", "openai": f"openai/{settings.llm_model}"}
    return labels.get(settings.llm_backend, "scripted-bench")
