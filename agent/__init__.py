"""The shopping agent: LLM backends, LangGraph graph, state, guardrails and the events it emits."""
