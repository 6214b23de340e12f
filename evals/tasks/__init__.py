"""The τ-bench task suite: simulated shoppers, trials against a τ store, and gold-action fidelity."""
