"""Benchmarks for cronspec: micro benchmarks against peers and a large-org scheduler workload.

Run ``python benchmarks/run.py --help``.
"""
