"""Audio in: decoding any supported file to float32 mono at a chosen rate, speech level, and
long recordings read window by window."""
