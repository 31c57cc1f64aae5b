"""Helpers for portcheck's own tests and benchmarks (shipped, so that users can reproduce the figures)."""
