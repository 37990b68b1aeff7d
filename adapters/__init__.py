"""Adapters that feed cronspec from external stores (installed as ``cronspec.adapters``)."""
