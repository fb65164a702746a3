"""Routing's write paths, one module per topic."""
