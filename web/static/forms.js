// The summary of a refused form takes the focus. Fields that apply only when another
// field holds certain answers (forms.fields.only_when)
// are hidden otherwise, and disabled so that a value typed before the answer changed is
// not sent. A list of choices ordered by another answer (forms.fields.first_by) shows
// that answer's choices first and folds the rest, never a ticked one. Without this
// script every field and choice is shown and the form's checks still apply.
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

  function order(form) {
    for (const group of form.querySelectorAll("fieldset.choices[data-first-by]")) {
      const rule = JSON.parse(group.dataset.firstBy);
      const first = rule.groups[valueOf(form, rule.field)] || [];
      let folded = group.querySelector("details.more-choices");
      if (!folded) {
        folded = document.createElement("details");
        folded.className = "more-choices";
        const summary = document.createElement("summary");
        summary.textContent = rule.others;
        folded.appendChild(summary);
        group.appendChild(folded);
      }
      const labels = Array.from(group.querySelectorAll("label[data-choice]"));
      const rank = (label) => {
        const at = first.indexOf(label.dataset.choice);
        return at < 0 ? first.length + labels.indexOf(label) : at;
      };
      labels.sort((a, b) => rank(a) - rank(b));
      for (const label of labels) {
        const ticked = label.querySelector("input").checked;
        if (!first.length || first.includes(label.dataset.choice) || ticked) {
          group.insertBefore(label, folded);
        } else {
          folded.appendChild(label);
        }
      }
      folded.hidden = folded.querySelectorAll("label").length === 0;
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    // A refused form: the summary of its problems is read first.
    const summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
    for (const form of document.querySelectorAll("form.task-form, form.start-form")) {
      apply(form);
      order(form);
      form.addEventListener("change", function (event) {
        apply(form);
        // Ticking a choice leaves the list where it is; another answer reorders it.
        if (!event.target.closest("fieldset.choices[data-first-by]")) order(form);
      });
    }
  });
})();
