"""Regie's benchmarks; each module is a self-contained script (see bench/README.md)."""
