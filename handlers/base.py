"""The registry of service-task handlers: plain functions, looked up by name."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

Handler = Callable[[Any], Mapping[str, Any] | None]
"""Takes an ``engine.bpmn.execution.HandlerContext``; returns the data it adds or changes."""


class HandlerRegistry:
    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}

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
