"""Extraction benchmarks: the real-pages corpus and the date panel."""
