"""How each BPMN construct runs, for the engine and the API that show it."""

from __future__ import annotations

RUNS = {
    "caught_escalation": (["read", "act_on_late"], "end_late"),
    "multi_instance_parallel": (["report", "report", "report", "close"], "end"),
    "multi_instance_sequential": (["report", "report", "report", "close"], "end"),
    "multi_instance_collection": (["report", "report", "close"], "end"),
    "camunda_settings": (["read"], "end"),
}


"""Construct -> (the user tasks completed in order, one per restart; the end reached)."""
