"""Varna pot's process engine: BPMN procedures on SpiffWorkflow, persisted with SQLAlchemy.

``ProcessEngine(config)`` builds the services; the engine never imports Flask, the web
application or the command line. Its layers are the folders here (see ARCHITECTURE.md).
"""

from engine.config import EngineConfig
from engine.process_engine import ProcessEngine

__all__ = ["EngineConfig", "ProcessEngine"]
