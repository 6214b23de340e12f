"""The understanding evaluation: multi-turn shopper dialogues with per-turn acts, kinds and constraints."""
