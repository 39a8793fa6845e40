"""The web explorer (Streamlit): analyse a clip, the model's metrics, batch results.

It sits on top of the domain package beside the command line and calls the
same prediction code (aurora.inference) as `aurora predict`.
"""
