"""Inference: a model bundle as a function (one per process), classifying batches of files or
arrays, the resumable CSV output of a classification run, and the Python API (api)."""
