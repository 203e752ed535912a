"""Framework-free computation (scheduling, calendars, earned value, SLA clocks, capacity).

Nothing in this package imports Django or an app: apps translate their models into plain inputs and
translate the results back. An import-linter contract enforces the boundary.
"""
