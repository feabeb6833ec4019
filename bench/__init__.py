"""Benchmarks: run by hand (see bench/README.md), never as timed tests."""
