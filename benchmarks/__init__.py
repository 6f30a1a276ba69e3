"""Benchmarks: one module per workload (``p<N>_<name>.py``), run together by ``run.py``."""
