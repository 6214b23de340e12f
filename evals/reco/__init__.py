"""Recommendation evals: leave-last-out splits, ALS baseline, search baseline and ranking metrics."""
