"""Shared pytest configuration (run by `ape test`)."""
