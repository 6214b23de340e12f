"""Report sections (summary, tables, plots, diffs) for replay and gold runs."""

from __future__ import annotations

from pathlib import Path

from evals.replay.compare import GoldScore, ReplayTurnScore
from evals.report.metrics import summarize_gold, summarize_replay
from evals.report.plots import bar_chart, grouped_bars, latency_histogram
from evals.report.write import Section

MAX_DETAILS = 40


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def replay_section(scores: list[ReplayTurnScore], out_dir: Path, name: str = "replay") -> Section:
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = summarize_replay(scores)
    rates = {key: summary[key] for key in ("tool_match", "args_agreement", "product_overlap", "feedback_hit_rate",
                                           "citation_overlap", "grounded", "answer_similarity")}
    plots = [bar_chart(out_dir / f"{name}_metrics.png", rates, "Replay: agreement with the logged turns").name]
    if scores:
        plots.append(latency_histogram(out_dir / f"{name}_latency.png", [s.latency_ms for s in scores],
                                       "Replay turn latency").name)
    changed = [s for s in scores if not s.tool_match or s.answer_similarity < 0.999 or s.grounding_errors]
    details = []
    for s in changed[:MAX_DETAILS]:
        details += [f"[{s.conversation_id} #{s.turn_index}] {_short(s.user_text, 100)}",
                    f"  tools: {s.logged_tools} -> {s.new_tools}   similarity {s.answer_similarity:.2f}",
                    f"  - logged: {_short(s.old_answer)}", f"  + now:    {_short(s.new_answer)}"]
        details += [f"  ! {v.kind}: {_short(v.claim, 100)} ({v.detail})" for v in s.violations if v.severity == "error"]
    table = [{"conversation": s.conversation_id, "turn": s.turn_index, "tools then": ",".join(s.logged_tools),
              "tools now": ",".join(s.new_tools), "args": s.args_agreement, "products": s.product_overlap,
              "grounding errors then": s.logged_grounding_errors,
              "now": s.grounding_errors, "similarity": s.answer_similarity, "ms": round(s.latency_ms)}
             for s in scores[:200]]
    note = f"{len(changed)} of {len(scores)} turns changed (tool, answer text or grounding)."
    return Section(title="Dialogue-log replay", note=note, summary=summary, table=table, details=details, plots=plots)


def gold_section(scores: list[GoldScore], out_dir: Path) -> Section:
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = summarize_gold(scores)
    per_intent = summary["per_intent"]
    plots = [grouped_bars(out_dir / "gold_per_intent.png",
                          {intent: {"tool": r["tool_accuracy"], "args": r["argument_accuracy"], "safe": r["safety"],
                                    "grounded": r["grounded"], "passed": r["passed"]}
                           for intent, r in per_intent.items()}, "Gold set per intent").name]
    latencies = [s.latency_ms for s in scores if s.latency_ms]
    if latencies:
        plots.append(latency_histogram(out_dir / "gold_latency.png", latencies, "Gold turn latency").name)
    table = [{"intent": intent, "n": r["dialogues"], "passed": r["passed"], "tool": r["tool_accuracy"],
              "args": r["argument_accuracy"], "products": r["product_precision"], "citations": r["citation_accuracy"],
              "safety": r["safety"], "substance": r["answer_substance"], "grounded": r["grounded"],
              "violations": r["grounding_violations"], "leaks": r["leaks"], "premature done": r["premature_done"]}
             for intent, r in per_intent.items()]
    details = []
    for s in [s for s in scores if not s.passed][:MAX_DETAILS]:
        why = [name for name, bad in (("tool", not s.tool_ok), ("args", s.arg_passed < s.arg_checks),
                                      ("products", s.products_ok < s.products_shown),
                                      ("citations", s.citations_ok is False), ("safety", not s.safety_ok),
                                      ("substance", s.answer_ok is False),
                                      ("grounding", s.grounding_errors > 0), ("leaks", bool(s.leaks)),
                                      ("premature done", s.premature_done), ("error", bool(s.error))) if bad]
        leaks = f"  leaks: {', '.join(s.leaks)}" if s.leaks else ""
        details += [f"[{s.id}] {_short(s.user_text, 90)}  -> failed: {', '.join(why)}",
                    f"  tools: {s.tools_called}  {s.error}{leaks}", f"  answer: {_short(s.answer)}"]
    bar_chart(out_dir / "gold_overall.png", {k: summary[k] for k in ("passed", "tool_accuracy", "argument_accuracy",
                                                                      "product_precision", "citation_accuracy",
                                                                      "safety", "answer_substance", "grounded")},
               "Gold set overall")
    plots.insert(0, "gold_overall.png")
    summary_flat = {k: v for k, v in summary.items() if k not in ("per_intent", "per_language")}
    summary_flat["per_language"] = {lang: r["passed"] for lang, r in summary["per_language"].items()}
    return Section(title="Gold dialogues", summary=summary_flat, table=table, details=details, plots=plots)
