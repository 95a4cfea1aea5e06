"""Code every demo reuses: loaders, data, metrics, limits and UI pieces. Imports nothing heavy."""
