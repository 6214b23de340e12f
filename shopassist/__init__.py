"""shopassist: a conversational shopping assistant (settings and command line live here)."""
