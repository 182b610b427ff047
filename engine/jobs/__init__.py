"""Timers and the scheduler that decides when to fire them: the table is the truth."""
