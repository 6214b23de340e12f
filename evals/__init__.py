"""Evaluation harnesses: dialogue-log format and replay, gold dialogues, task suite, retrieval/reco evals, reports."""
