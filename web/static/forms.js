// The summary of a refused form takes the focus. Fields that apply only when another
// field holds certain answers (forms.fields.only_when)
// are hidden otherwise, and disabled so that a value typed before the answer changed is
// not sent. A list of choices ordered by another answer (forms.fields.first_by) shows
// that answer's choices first and folds the rest, never a ticked one. Repeatable rows
// (goals, services, contacts) get buttons to add a row and remove one; the server reads
// rows by their numbers, gaps and all. Without this script every field and choice is
// shown, two blank rows wait below the filled ones, and the form's checks still apply.
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

  // A copy of a group's last row, numbered after the highest, emptied.
  function addRow(group) {
    const name = group.dataset.rows;
    const rows = Array.from(group.querySelectorAll(":scope > .row"));
    const last = rows[rows.length - 1];
    const from = last.dataset.row;
    const to = String(Math.max(...rows.map((row) => Number(row.dataset.row))) + 1);
    const copy = last.cloneNode(true);
    const dashed = "f-" + name.replaceAll(".", "-") + "-";
    const renumber = (text) => text
      .replaceAll(name + "." + from + ".", name + "." + to + ".")
      .replaceAll(dashed + from + "-", dashed + to + "-");
    copy.dataset.row = to;
    const named = "[name], [id], [for], [aria-describedby], [data-rows]";
    for (const element of copy.querySelectorAll(named)) {
      for (const attribute of ["name", "id", "for", "aria-describedby", "data-rows"]) {
        if (element.hasAttribute(attribute)) {
          element.setAttribute(attribute, renumber(element.getAttribute(attribute)));
        }
      }
    }
    for (const control of copy.querySelectorAll("input, select, textarea")) {
      if (control.type === "checkbox" || control.type === "radio") control.checked = false;
      else if (control.tagName === "SELECT") control.selectedIndex = 0;
      else control.value = "";
      control.removeAttribute("aria-invalid");
    }
    for (const message of copy.querySelectorAll("p.error")) message.remove();
    for (const field of copy.querySelectorAll(".has-error")) field.classList.remove("has-error");
    last.after(copy);
    showRowButtons(group);
    for (const inner of copy.querySelectorAll("fieldset.rows[data-rows]")) showRowButtons(inner);
    const first = copy.querySelector("input, select, textarea");
    if (first) first.focus();
  }

  function showRowButtons(group) {
    const rows = group.querySelectorAll(":scope > .row");
    for (const button of group.querySelectorAll(":scope > .row > .remove-row")) {
      button.hidden = rows.length < 2;
    }
    group.querySelector(":scope > .add-row").hidden = false;
  }

  function rows(form) {
    for (const group of form.querySelectorAll("fieldset.rows[data-rows]")) showRowButtons(group);
    form.addEventListener("click", function (event) {
      const button = event.target.closest("button.add-row, button.remove-row");
      if (!button) return;
      const group = button.closest("fieldset.rows[data-rows]");
      if (button.classList.contains("add-row")) {
        addRow(group);
        return;
      }
      const row = button.closest(".row");
      const next = row.nextElementSibling;
      row.remove();
      showRowButtons(group);
      const focus = next && next.querySelector("input, select, textarea, button");
      (focus || group.querySelector(":scope > .add-row")).focus();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    // A refused form: the summary of its problems is read first.
    const summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
    for (const form of document.querySelectorAll("form.task-form, form.start-form")) {
      apply(form);
      order(form);
      rows(form);
      form.addEventListener("change", function (event) {
        apply(form);
        // Ticking a choice leaves the list where it is; another answer reorders it.
        if (!event.target.closest("fieldset.choices[data-first-by]")) order(form);
      });
    }
  });
})();
