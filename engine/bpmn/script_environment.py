"""The only script environment SpiffWorkflow is given: no ``eval``, no ``exec``.

SpiffWorkflow evaluates diagram text in two ways: through the script engine
(``script_engine.evaluate``, overridden by :class:`engine.bpmn.execution.RestrictedScriptEngine`)
and, in a few places, straight through ``script_engine.environment.evaluate``: message
correlation, the completion condition of an ad hoc subprocess and the start conditions
of its branches. Its default environment calls Python's ``eval`` there, which is how a
diagram could run code without passing our evaluator. This environment closes that door:
every expression, wherever SpiffWorkflow asks for it, goes to the one whitelist
evaluator, and scripts and service calls are refused.

Failures raise :class:`ExpressionRefused`, a :class:`WorkflowException`, so the task that
asked becomes an incident (:func:`engine.bpmn.execution.run_guarded`), never a crash.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from SpiffWorkflow.bpmn.script_engine.python_environment import (
    BasePythonScriptEngineEnvironment,
)
from SpiffWorkflow.exceptions import WorkflowException

from engine.bpmn.expressions import ExpressionError, evaluate


class ExpressionRefused(WorkflowException):
    """A diagram expression was refused or failed; the message says which and why."""


class SafeEnvironment(BasePythonScriptEngineEnvironment):
    """Expressions through :func:`engine.bpmn.expressions.evaluate`; nothing else runs."""

    def __init__(self) -> None:
        super().__init__({})

    def evaluate(self, expression: str, context: Mapping[str, Any],
                 external_context: Mapping[str, Any] | None = None) -> Any:
        names = dict(external_context or {})
        names.update(context)
        try:
            return evaluate(expression if isinstance(expression, str) else "", names)
        except ExpressionError as exc:
            raise ExpressionRefused(str(exc)) from exc

    def execute(self, script: str, context: Any, external_context: Any = None) -> bool:
        raise ExpressionRefused("scripts are not run by this engine; use a service task "
                                "that names a handler")

    def call_service(self, context: Any, **kwargs: Any) -> Any:
        raise ExpressionRefused("service calls are made only through registered handlers")
