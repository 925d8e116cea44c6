"""Benchmarks with their own commands (`python -m bench.<name>`); not part of the test run."""
