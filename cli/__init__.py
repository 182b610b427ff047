"""The ``varnapot`` command: the composition root that puts the engine, the forms, the
handlers and the web application together."""

from .main import main

__all__ = ["main"]
