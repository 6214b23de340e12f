"""The gold dialogue set: schema, generator, runner, and the grounding and substance checks."""
