// The summary of a refused form takes the focus. Fields that apply only when another
// field holds certain answers (forms.fields.only_when)
// are hidden otherwise, and disabled so that a value typed before the answer changed is
// not sent. Without this script every field is shown and the form's checks still apply.
(function () {
  "use strict";

  function valueOf(form, name) {
    const controls = form.querySelectorAll(`[name="${CSS.escape(name)}"]`);
    for (const control of controls) {
      if (control.type === "radio" || control.type === "checkbox") {
        if (control.checked) return control.value;
      } else {
        return control.value;
      }
    }
    return "";
  }

  function apply(form) {
    for (const field of form.querySelectorAll(".field[data-shown-when]")) {
      const rule = JSON.parse(field.dataset.shownWhen);
      const applies = rule.is.includes(valueOf(form, rule.field));
      field.hidden = !applies;
      for (const control of field.querySelectorAll("input, select, textarea")) {
        control.disabled = !applies;
      }
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    // A refused form: the summary of its problems is read first.
    const summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
    for (const form of document.querySelectorAll("form.task-form, form.start-form")) {
      if (!form.querySelector(".field[data-shown-when]")) continue;
      apply(form);
      form.addEventListener("change", function () { apply(form); });
    }
  });
})();
