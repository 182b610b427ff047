"""The kinds and statuses of a timer row (see :class:`engine.store.models.Timer`)."""

BPMN_TIMER = "bpmn"
REMINDER = "reminder"
ESCALATION = "escalation"
TIMER_KINDS = (BPMN_TIMER, REMINDER, ESCALATION)

PENDING = "pending"
FIRED = "fired"
CANCELLED = "cancelled"
FAILED = "failed"
TIMER_STATUSES = (PENDING, FIRED, CANCELLED, FAILED)
