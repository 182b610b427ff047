// The two kinds of field of our panel: a name chosen from what the engine knows, and an
// expression checked as it is typed. Both write through bpmn-js's command stack, so undo,
// redo and the XML see every change.

import { h } from "@bpmn-io/properties-panel/preact";
import { useCallback, useEffect, useState } from "@bpmn-io/properties-panel/preact/hooks";
import { SelectEntry, TextFieldEntry } from "@bpmn-io/properties-panel";
import { useService } from "bpmn-js-properties-panel";

// A list of names. A value that is not in the list (a diagram from elsewhere, a procedure
// not deployed yet) stays shown, marked, so that opening a diagram never changes it.
export function ChosenEntry(props) {
  const { element, id, label, description, choices, none, getValue, setValue, unknown } = props;
  const getOptions = function () {
    const current = getValue(element) || "";
    const options = [{ value: "", label: none }].concat(choices.map(function (choice) {
      return { value: choice.key, label: choice.label + " (" + choice.key + ")" };
    }));
    if (current && !choices.some(function (choice) { return choice.key === current; })) {
      options.push({ value: current, label: unknown.replace("{name}", current) });
    }
    return options;
  };
  return h(SelectEntry, {
    element: element, id: id, label: label, description: description,
    getValue: function () { return getValue(element) || ""; },
    setValue: function (value) { setValue(value || undefined); },
    getOptions: getOptions
  });
}

// An expression at one of the places deploy checks ("condition", "timer timeDate"...).
// The answer comes from the server, after the text was written to the diagram; until it
// comes the field shows no error, and deploy checks everything again anyway.
export function CheckedEntry(props) {
  const { element, id, label, description, site, getValue, setValue } = props;
  const checker = useService("expressionChecker");
  const debounce = useService("debounceInput");
  const value = (getValue(element) || "").trim();
  const [answered, setAnswered] = useState(0);

  useEffect(function () {
    if (!value || checker.known(site, value) !== undefined) { return undefined; }
    let current = true;
    checker.check(site, value).then(function () {
      if (current) { setAnswered(function (count) { return count + 1; }); }
    });
    return function () { current = false; };
  }, [site, value]);

  const validate = useCallback(function (text) {
    const typed = (text || "").trim();
    return typed ? checker.known(site, typed) || null : null;
  }, [site, answered]);

  return h(TextFieldEntry, {
    element: element, id: id, label: label, description: description, debounce: debounce,
    getValue: function () { return getValue(element) || ""; },
    setValue: function (text) { setValue(text.trim() ? text : undefined); },
    validate: validate
  });
}
