"""Data: the emotion inventory and label space, corpus readers, where corpora come from, the
clip manifest, speaker splits, augmentation recipes and the in-memory example table."""
