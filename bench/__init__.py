"""Benchmarks: cold start, batch throughput, preview cost and policy cost (`python -m bench`).

Each figure is measured side by side in one run (A and B interleaved, medians compared), so a
noisy machine moves both sides together and the ratio stays meaningful.
"""
