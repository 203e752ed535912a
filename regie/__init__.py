"""Regie: one system for the project management office and the service management office."""

__version__ = "0.1.0"
