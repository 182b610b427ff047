"""Training mode: scripted cases played in groups on engines of their own, knowledge tests
before and after, and the debrief. Nothing of it touches live data."""

from .debrief import debrief, report
from .scripts import QuestionBank, ScriptedCase, ScriptError, question_bank, scripted_cases
from .workspaces import TrainingService

__all__ = ["QuestionBank", "ScriptError", "ScriptedCase", "TrainingService", "debrief",
           "question_bank", "report", "scripted_cases"]
