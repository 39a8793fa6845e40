"""Classifiers: torch networks, their training loop, and saving/loading without pickle."""
