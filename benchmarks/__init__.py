"""Scripts that print tables of speed, memory and quality; run as python -m benchmarks.<name>."""
