"""Synthetic Xuzhou: a generated city that delivers extracts like the real institutions."""
