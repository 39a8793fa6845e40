"""Small helpers with no domain knowledge: atomic writes, folder walks, process pools, numba warm-up."""
