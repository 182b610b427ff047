"""Errors the engine raises; each maps to one HTTP status and one CLI exit line."""

from __future__ import annotations

from dataclasses import dataclass


class EngineError(Exception):
    """Base of every error a caller is expected to handle."""

    code = "engine_error"
    http_status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(EngineError):
    code = "not_found"
    http_status = 404


class Conflict(EngineError):
    """The request lost a race or targets something in the wrong state."""

    code = "conflict"
    http_status = 409


class ValidationFailed(EngineError):
    """Submitted data does not satisfy the task's form; ``fields`` maps name -> messages."""

    code = "validation_failed"
    http_status = 422

    def __init__(self, message: str, fields: dict[str, list[str]]) -> None:
        super().__init__(message)
        self.fields = fields

    def __str__(self) -> str:
        details = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in self.fields.items())
        return f"{self.message} ({details})" if details else self.message


class BadRequest(EngineError):
    code = "bad_request"
    http_status = 400


class Unauthorized(EngineError):
    """Wrong user name, password or token; the message never says which."""

    code = "unauthorized"
    http_status = 401


class Forbidden(EngineError):
    """Signed in, but her roles do not allow this."""

    code = "forbidden"
    http_status = 403


class TooManyAttempts(EngineError):
    """Sign-in refused for a while after repeated failures."""

    code = "too_many_attempts"
    http_status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a diagram, tied to the element that has it."""

    element_id: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.element_id}: {self.message}" if self.element_id else self.message


class DeployError(EngineError):
    """A diagram was refused; ``problems`` lists every reason, nothing was stored."""

    code = "deploy_error"
    http_status = 422

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        count = len(problems)
        listing = "; ".join(str(p) for p in problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"{source} was not deployed, {count} {noun}: {listing}")
