// What the engine reads from each element, as fields of the properties panel:
//
//   lane                     its name is the key of the role doing its user tasks
//   user task                camunda:formKey, camunda:dueDate ("deadline:<kind>" or an expression)
//   none start event         camunda:formKey of the data the procedure starts with
//   service task             camunda:topic (with camunda:type="external"): the handler
//   flow out of a gateway    its condition
//   timer event              timeDate, timeDuration or timeCycle
//   call activity            calledElement: a deployed procedure
//   business rule task       camunda:decisionRef: a deployed decision table
//
// Names, documentation and messages are bpmn-js-properties-panel's own groups. Its timer
// group is replaced by ours, whose value is checked like every other expression.

import { getBusinessObject, is } from "bpmn-js/lib/util/ModelUtil";
import { isSelectEntryEdited, isTextFieldEntryEdited, Group } from "@bpmn-io/properties-panel";
import { h } from "@bpmn-io/properties-panel/preact";
import { useService } from "bpmn-js-properties-panel";

import { CheckedEntry, ChosenEntry } from "./entries.js";

const AFTER_BPMN = 500;
const DEADLINE = "deadline:";
const TIMER_TYPES = ["timeDate", "timeDuration", "timeCycle"];

export default function EngineProperties(propertiesPanel, config) {
  const settings = config.varnapot || {};
  const vocabulary = settings.vocabulary;
  const words = settings.words || {};
  const say = function (text) { return words[text] || text; };

  this.getGroups = function (element) {
    return function (groups) {
      const entries = engineEntries(element, vocabulary, say);
      const timer = timerDefinition(element);
      const kept = groups.filter(function (group) { return !(timer && group.id === "timer"); });
      if (timer) {
        kept.push({ id: "varnapot-timer", label: say("Timer"), component: Group,
                    entries: timerEntries(element, timer, say) });
      }
      if (entries.length) {
        kept.splice(1, 0, { id: "varnapot", label: say("How this engine runs it"),
                            component: Group, entries: entries });
      }
      return kept;
    };
  };

  propertiesPanel.registerProvider(AFTER_BPMN, this);
}

EngineProperties.$inject = ["propertiesPanel", "config"];

function engineEntries(element, vocabulary, say) {
  const bo = getBusinessObject(element);
  const unknown = say("{name} (not known here)");
  const entries = [];
  function chosen(id, label, choices, property, extra) {
    entries.push(Object.assign({
      id: id, isEdited: isSelectEntryEdited, label: say(label), choices: choices,
      none: say("(none)"), unknown: unknown, component: Chosen, property: property
    }, extra || {}));
  }

  if (is(element, "bpmn:Lane")) {
    chosen("varnapot-role", "Role", vocabulary.roles, "name",
           { description: say("Who does the user tasks of this lane.") });
  }
  if (is(element, "bpmn:UserTask")) {
    chosen("varnapot-form", "Form", vocabulary.forms, "camunda:formKey");
    chosen("varnapot-deadline", "Legal deadline", vocabulary.deadlines, "camunda:dueDate", {
      none: say("(none: a due date below, or none)"), component: DeadlineChoice,
      description: say("The task is due on this deadline's legal date.")
    });
    if (!(bo.get("camunda:dueDate") || "").startsWith(DEADLINE)) {
      entries.push({ id: "varnapot-due", component: Checked, isEdited: isTextFieldEntryEdited,
                     label: say("Due date"), site: "due date", property: "camunda:dueDate",
                     description: say("An expression over the process data, such as add_days(decided_on, 3).") });
    }
  }
  if (is(element, "bpmn:StartEvent") && !(bo.eventDefinitions || []).length
      && is(bo.$parent, "bpmn:Process")) {
    chosen("varnapot-start-form", "Start form", vocabulary.forms, "camunda:formKey",
           { description: say("The form that checks the data the procedure starts with.") });
  }
  if (is(element, "bpmn:ServiceTask")) {
    chosen("varnapot-handler", "Handler", vocabulary.handlers, "camunda:topic",
           { component: HandlerChoice, description: say("What the engine does at this step.") });
  }
  if (is(element, "bpmn:SequenceFlow") && conditional(bo)) {
    entries.push({ id: "varnapot-condition", component: Condition, isEdited: isTextFieldEntryEdited,
                   label: say("Condition"), site: "condition",
                   description: say("Taken when this holds, such as permit_decision == 'granted'.") });
  }
  if (is(element, "bpmn:SequenceFlow") && isDefault(bo)) {
    entries.push({ id: "varnapot-default", component: Note,
                   text: say("The default flow: taken when no other condition holds.") });
  }
  if (is(element, "bpmn:CallActivity")) {
    chosen("varnapot-called", "Called procedure", vocabulary.processes, "calledElement");
  }
  if (is(element, "bpmn:BusinessRuleTask")) {
    chosen("varnapot-decision", "Decision table", vocabulary.decisions, "camunda:decisionRef");
  }
  return entries;
}

function conditional(flow) {
  const source = flow.sourceRef;
  return (is(source, "bpmn:ExclusiveGateway") || is(source, "bpmn:InclusiveGateway"))
    && !isDefault(flow);
}

function isDefault(flow) {
  return Boolean(flow.sourceRef && flow.sourceRef.default === flow);
}

// An entry that reads and writes one attribute of the element, ``props.property``.
function onProperty(Entry) {
  return function (props) {
    const modeling = useService("modeling");
    const property = props.property;
    return h(Entry, Object.assign({}, props, {
      getValue: function (element) { return getBusinessObject(element).get(property); },
      setValue: function (value) {
        const change = {};
        change[property] = value;
        modeling.updateProperties(props.element, change);
      }
    }));
  };
}

const Chosen = onProperty(ChosenEntry);
const Checked = onProperty(CheckedEntry);

function DeadlineChoice(props) {
  const modeling = useService("modeling");
  return h(ChosenEntry, Object.assign({}, props, {
    getValue: function (element) {
      const due = getBusinessObject(element).get("camunda:dueDate") || "";
      return due.startsWith(DEADLINE) ? due.slice(DEADLINE.length) : "";
    },
    setValue: function (kind) {
      modeling.updateProperties(props.element, { "camunda:dueDate": kind ? DEADLINE + kind : undefined });
    }
  }));
}

function HandlerChoice(props) {
  const modeling = useService("modeling");
  return h(ChosenEntry, Object.assign({}, props, {
    getValue: function (element) { return getBusinessObject(element).get("camunda:topic"); },
    setValue: function (handler) {
      modeling.updateProperties(props.element, {
        "camunda:type": handler ? "external" : undefined, "camunda:topic": handler
      });
    }
  }));
}

function Condition(props) {
  const modeling = useService("modeling");
  const bpmnFactory = useService("bpmnFactory");
  return h(CheckedEntry, Object.assign({}, props, {
    getValue: function (element) {
      const condition = getBusinessObject(element).conditionExpression;
      return condition ? condition.body : "";
    },
    setValue: function (text) {
      modeling.updateProperties(props.element, { conditionExpression: text === undefined
        ? undefined : bpmnFactory.create("bpmn:FormalExpression", { body: text }) });
    }
  }));
}

function Note(props) {
  return h("div", { class: "bio-properties-panel-entry", "data-entry-id": props.id },
           h("p", { class: "bio-properties-panel-description" }, props.text));
}

// Timers -------------------------------------------------------------------------------

function timerDefinition(element) {
  const bo = getBusinessObject(element);
  if (!is(bo, "bpmn:Event")) { return null; }
  return (bo.eventDefinitions || []).filter(function (definition) {
    return is(definition, "bpmn:TimerEventDefinition");
  })[0] || null;
}

function timerType(timer) {
  return TIMER_TYPES.filter(function (type) { return timer.get(type); })[0] || "";
}

function timerEntries(element, timer, say) {
  const entries = [{ id: "varnapot-timer-type", component: TimerType, isEdited: isSelectEntryEdited,
                     timer: timer, say: say }];
  const type = timerType(timer);
  if (type) {
    entries.push({ id: "varnapot-timer-value", component: TimerValue, timer: timer, type: type,
                   isEdited: isTextFieldEntryEdited, label: say("Value"),
                   site: "timer " + type, description: say(TIMER_HINTS[type]) });
  }
  return entries;
}

const TIMER_HINTS = {
  timeDate: "A date (2026-03-01) or an expression naming one, such as permit_renewal_warning_at.",
  timeDuration: "A duration (P3D: three days) or an expression giving one.",
  timeCycle: "A repeating interval, at most hourly (R/P1D: every day)."
};

function TimerType(props) {
  const commandStack = useService("commandStack");
  const bpmnFactory = useService("bpmnFactory");
  const { element, id, timer, say } = props;
  return h(ChosenEntry, {
    element: element, id: id, label: say("Type"), none: say("(none)"), unknown: "{name}",
    choices: [{ key: "timeDate", label: say("Date") }, { key: "timeDuration", label: say("Duration") },
              { key: "timeCycle", label: say("Cycle") }],
    getValue: function () { return timerType(timer); },
    setValue: function (type) {
      const current = timerType(timer);
      if ((type || "") === current) { return; }
      const kept = current ? timer.get(current).body : undefined;
      const change = { timeDate: undefined, timeDuration: undefined, timeCycle: undefined };
      if (type) {
        change[type] = bpmnFactory.create("bpmn:FormalExpression", { body: kept });
        change[type].$parent = timer;
      }
      commandStack.execute("element.updateModdleProperties",
                           { element: element, moddleElement: timer, properties: change });
    }
  });
}

function TimerValue(props) {
  const commandStack = useService("commandStack");
  const { element, timer, type } = props;
  return h(CheckedEntry, Object.assign({}, props, {
    getValue: function () { return (timer.get(type) || {}).body; },
    setValue: function (text) {
      commandStack.execute("element.updateModdleProperties",
                           { element: element, moddleElement: timer.get(type), properties: { body: text } });
    }
  }));
}
