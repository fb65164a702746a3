"""Benchmarks (not tests): a COPY loader for large data sets and HTTP load generators."""
