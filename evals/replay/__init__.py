"""Dialogue-log replay: re-run logged turns through the agent and compare with what was logged."""
