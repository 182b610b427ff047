// The instance diagram: bpmn-js viewer with done (green), active (blue), incident (red)
// elements and the path taken. One tab per process the instance has entered.
(function () {
  "use strict";

  // The page's words, in her language: data-msg-* on the #diagram element, with {name}
  // where a value goes (the CSP allows no inline script to hand them over).
  function say(container, name, values) {
    const text = container.dataset["msg" + name] || name;
    return text.replace(/\{(\w+)\}/g, function (whole, key) {
      return values && key in values ? String(values[key]) : whole;
    });
  }

  function markers(canvas, registry, state) {
    const marks = [["completed", state.completed], ["active", state.active],
                   ["incident", state.incidents], ["taken", state.taken_flows]];
    marks.forEach(function ([marker, ids]) {
      (ids || []).forEach(function (id) {
        if (registry.get(id)) { canvas.addMarker(id, marker); }
      });
    });
  }

  function show(viewer, container, base, process) {
    const url = base + encodeURIComponent(process.definition_key) + "/" + process.version + "/xml";
    container.setAttribute("aria-busy", "true");
    return fetch(url, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(say(container, "Unreadable", { status: response.status })); }
        return response.text();
      })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        const canvas = viewer.get("canvas");
        canvas.zoom("fit-viewport", "auto");
        markers(canvas, viewer.get("elementRegistry"), process);
        container.dataset.process = process.process_key;
        container.dataset.ready = "true";
        container.removeAttribute("aria-busy");
      })
      .catch(function (error) {
        container.removeAttribute("aria-busy");
        container.textContent = String(error.message || error);
      });
  }

  function start() {
    const container = document.getElementById("diagram");
    const source = document.getElementById("diagram-state");
    if (!container || !source || typeof BpmnJS === "undefined") { return; }
    const state = JSON.parse(source.textContent);
    const processes = state.processes || [];
    if (!processes.length) { return; }
    const viewer = new BpmnJS({ container: container });
    const tabs = document.getElementById("diagram-tabs");
    const base = container.dataset.xmlBase;
    processes.forEach(function (process, index) {
      const tab = document.createElement("button");
      tab.type = "button";
      tab.className = "tab" + (index === 0 ? " selected" : "");
      tab.textContent = say(container, "Tab", { procedure: process.name || process.process_key,
                                                version: process.version });
      tab.dataset.process = process.process_key;
      tab.addEventListener("click", function () {
        tabs.querySelectorAll(".tab").forEach(function (t) { t.classList.remove("selected"); });
        tab.classList.add("selected");
        container.dataset.ready = "false";
        show(viewer, container, base, process);
      });
      if (processes.length > 1) { tabs.appendChild(tab); }
    });
    zoomControls(viewer, document.getElementById("diagram-zoom"));
    show(viewer, container, base, processes[0]);
  }

  // Zoom in, out, and back to the whole diagram: buttons for those who use no wheel.
  function zoomControls(viewer, toolbar) {
    if (!toolbar) { return; }
    const canvas = viewer.get("canvas");
    const steps = { in: 1.25, out: 0.8 };
    toolbar.querySelectorAll("button[data-zoom]").forEach(function (button) {
      button.addEventListener("click", function () {
        const how = button.dataset.zoom;
        if (how === "fit") {
          canvas.zoom("fit-viewport", "auto");
        } else {
          canvas.zoom(canvas.zoom() * steps[how]);
        }
        toolbar.dataset.zoom = String(Math.round(canvas.zoom() * 100));
      });
    });
    toolbar.hidden = false;
  }

  document.addEventListener("DOMContentLoaded", start);
})();
