"""Multi-instance activities as Camunda 7 analysts draw them, run the same way every time.

``camunda:collection`` with ``camunda:elementVariable`` runs one child per item (one
referral task per service of her plan); ``loopCardinality`` runs a number of children
(one school report a month for a year). SpiffWorkflow's Camunda classes decide at run
time which of the two a diagram meant and write that decision into the *parsed spec*,
which every instance of the procedure shares: the second instance saw what the first
decided. Here the decision is made once, when the diagram is parsed, and the spec is
never written at run time.

Before any child is created the activity checks what it was given, so a bad value is an
incident on the activity with one line that says what is wrong, never a crash:

1. the collection is missing or is not a list or a mapping;
2. the cardinality is not a whole number;
3. there would be more than :data:`engine.bpmn.diagram_code.MAX_INSTANCES` children.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.data_spec import TaskDataReference
from SpiffWorkflow.bpmn.specs.defaults import (
    ParallelMultiInstanceTask as _Parallel,
)
from SpiffWorkflow.bpmn.specs.defaults import (
    SequentialMultiInstanceTask as _Sequential,
)
from SpiffWorkflow.bpmn.specs.mixins.bpmn_spec_mixin import BpmnSpecMixin
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.camunda.parser.task_spec import CamundaTaskParser
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.diagram_code import MAX_INSTANCES


class _CheckedChildren:
    """Checks the collection or cardinality, then lets SpiffWorkflow create the children."""

    task_spec: str
    data_input: TaskDataReference | None
    cardinality: str | None

    def _update_hook(self, my_task: Any) -> Any:
        if my_task.state != TaskState.WAITING:
            # As SpiffWorkflow's Camunda classes do: take the parent's data, then wait
            # for the children.
            BpmnSpecMixin._update_hook(self, my_task)  # type: ignore[arg-type]
            my_task._set_state(TaskState.WAITING)
        count = self._count(my_task)
        if count > MAX_INSTANCES:
            raise WorkflowTaskException(
                f"{count} children asked for: a multi-instance activity runs at most "
                f"{MAX_INSTANCES}", task=my_task)
        return super()._update_hook(my_task)  # type: ignore[misc]

    def _count(self, my_task: Any) -> int:
        if self.data_input is not None:
            name = self.data_input.bpmn_id
            items = my_task.data.get(name)
            if not isinstance(items, (Sequence, Mapping)) or isinstance(items, str):
                raise WorkflowTaskException(
                    f"the collection {name!r} is not a list in the case's data", task=my_task)
            return len(items)
        value = my_task.workflow.script_engine.evaluate(my_task, self.cardinality)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise WorkflowTaskException(
                f"the cardinality {self.cardinality!r} gives {value!r}, not a whole number",
                task=my_task)
        return value


class CaseSequentialMultiInstance(_CheckedChildren, _Sequential):
    pass


class CaseParallelMultiInstance(_CheckedChildren, _Parallel):
    pass


class LoopParser(CamundaTaskParser):
    """Builds :class:`CaseSequentialMultiInstance` / :class:`CaseParallelMultiInstance`."""

    def _add_multiinstance_task(self, loop_characteristics: Any) -> None:
        prefix = "bpmn:multiInstanceLoopCharacteristics"
        cardinality = self.xpath(f"./{prefix}/bpmn:loopCardinality")
        cardinality_text = cardinality[0].text if len(cardinality) > 0 else None
        collection = self.attribute("collection", "camunda", loop_characteristics)
        if cardinality_text is None and collection is None:
            self.raise_validation_exception("a multi-instance activity needs a "
                                            "loopCardinality or a camunda:collection")
        if cardinality_text is not None and collection is not None:
            self.raise_validation_exception("a multi-instance activity has a "
                                            "loopCardinality or a camunda:collection, not both")
        item = self.attribute("elementVariable", "camunda", loop_characteristics)
        condition = self.xpath(f"./{prefix}/bpmn:completionCondition")
        original = self.spec.task_specs.pop(self.task.name)
        reference = TaskDataReference(collection) if collection is not None else None
        element = TaskDataReference(item) if item is not None else None
        params = {
            "task_spec": "",
            "cardinality": cardinality_text,
            "data_input": reference,
            "data_output": reference,
            "input_item": element,
            "output_item": element if reference is not None else None,
            "condition": condition[0].text if len(condition) > 0 else None,
        }
        sequential = loop_characteristics.get("isSequential") == "true"
        kind = CaseSequentialMultiInstance if sequential else CaseParallelMultiInstance
        self.task = kind(self.spec, original.name, **params)
        self._copy_task_attrs(original, loop_characteristics)


def child_label(task: Any) -> str | None:
    """What a multi-instance child is for, shown after its title: the item of the
    collection it handles, or its number among the children ("2 of 12")."""
    parent = task.parent
    spec = getattr(parent, "task_spec", None)
    if not isinstance(spec, LoopTask):
        return None
    input_item = getattr(spec, "input_item", None)
    if getattr(spec, "data_input", None) is not None and input_item is not None:
        value = task.data.get(input_item.bpmn_id)
        return str(value)[:80] if isinstance(value, (str, int, float)) else None
    index = task.internal_data.get("item")
    if not isinstance(index, int):
        index = task.internal_data.get("key_or_index")
    if not isinstance(index, int):
        return None
    total = parent.internal_data.get("cardinality")
    return f"{index + 1} of {total}" if isinstance(total, int) else str(index + 1)
