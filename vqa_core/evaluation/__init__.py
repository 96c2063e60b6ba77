"""Evaluation: leak-free splits, protocols and metrics."""
