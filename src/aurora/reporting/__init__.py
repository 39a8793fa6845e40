"""Reporting: tables, plots, the HTML report, the model card, and readable views of artifacts."""
