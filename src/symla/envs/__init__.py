"""Environments (gymnax functional style), held-out transforms and the registry of named splits."""
