"""Benchmarks of kb (not part of the kb package)."""
