"""Handcrafted acoustic features: one STFT per clip, frame sequences and statistics."""
