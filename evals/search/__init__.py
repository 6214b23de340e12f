"""Retrieval evals: labelled query sets (ESCI, demo rules), metrics and the eval/bench search commands."""
