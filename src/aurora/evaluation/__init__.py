"""Evaluation: metrics, speaker cross-validation, leave-one-corpus-out, group mode on skewed
folders, cross-corpus scoring, the leakage audit and the run comparison."""
