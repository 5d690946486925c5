"""Benchmarks: `python -m benchmarks` measures throughput, cost per stage, memory and a peer in one run."""
