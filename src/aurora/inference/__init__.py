"""Inference: a model bundle as a function, classifying batches of files, and the resumable CSV
output of a classification run."""
