"""The registry of service-task handlers: plain functions, looked up by name."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

Handler = Callable[[Any], Mapping[str, Any] | None]
"""Takes an ``engine.bpmn.execution.HandlerContext``; returns the data it adds or changes."""


class HandlerRegistry:
    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}
        self.variables: dict[str, str] = {}
        """Variable name -> its label: the words a person reads for what handlers write.
        (A form's fields are named by the form.)"""
        self.values: dict[str, dict[str, str]] = {}
        """Variable name -> the words of each value it takes, where those are codes."""

    def describe(self, labels: Mapping[str, str | tuple[str, Mapping[str, str]]]) -> None:
        """Name the variables a module's handlers write, for the pages that show them:
        a label, or a label and the words of each code the variable holds."""
        for name, described in labels.items():
            label, values = described if isinstance(described, tuple) else (described, {})
            if self.variables.get(name, label) != label:
                raise ValueError(f"variable {name!r} is described twice, differently")
            self.variables[name] = label
            if values:
                self.values[name] = dict(values)

    def register(self, name: str) -> Callable[[Handler], Handler]:
        def decorate(function: Handler) -> Handler:
            if name in self._handlers:
                raise ValueError(f"handler {name!r} is registered twice")
            self._handlers[name] = function
            return function

        return decorate

    def get(self, name: str) -> Handler | None:
        return self._handlers.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._handlers

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._handlers))
