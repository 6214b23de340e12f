"""The router's intent classifier evaluation: cross-validation, held-out gold turns, threshold, timings."""
