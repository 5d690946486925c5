"""Deduplication quality and cost on a labelled set of article pairs (`python -m benchmarks.dedupe`)."""
