// The policy analysts' editor: bpmn-js Modeler, with validate and publish through the API.
// Each problem the server finds is listed and shown on its element.
(function () {
  "use strict";

  const csrf = document.querySelector('meta[name="csrf-token"]').content;

  // The page's words, in her language: data-msg-* on the #modeler element, with {name}
  // where a value goes (the CSP allows no inline script to hand them over).
  function say(data, name, values) {
    const text = data["msg" + name] || name;
    return text.replace(/\{(\w+)\}/g, function (whole, key) {
      return values && key in values ? String(values[key]) : whole;
    });
  }

  function status(text, kind) {
    const box = document.getElementById("modeler-status");
    box.textContent = text;
    box.className = "flash " + (kind || "");
  }

  function clearProblems(modeler) {
    const canvas = modeler.get("canvas");
    modeler.get("overlays").remove({ type: "problem" });
    modeler.get("elementRegistry").forEach(function (element) {
      canvas.removeMarker(element.id, "problem");
      canvas.removeMarker(element.id, "ignored");
    });
    document.getElementById("problems").replaceChildren();
  }

  // Problems stop a deployment; warnings name settings accepted and not acted on.
  function showProblems(modeler, problems, warnings) {
    clearProblems(modeler);
    const registry = modeler.get("elementRegistry");
    const overlays = modeler.get("overlays");
    const canvas = modeler.get("canvas");
    const list = document.getElementById("problems");
    function show(problem, kind) {
      const item = document.createElement("li");
      item.className = kind;
      item.textContent = (problem.element_id ? problem.element_id + ": " : "") + problem.message;
      item.dataset.elementId = problem.element_id || "";
      list.appendChild(item);
      if (problem.element_id && registry.get(problem.element_id)) {
        canvas.addMarker(problem.element_id, kind);
        const note = document.createElement("div");
        note.className = kind + "-note";
        note.textContent = problem.message;
        overlays.add(problem.element_id, "problem", { position: { bottom: -6, left: 0 }, html: note });
      }
    }
    problems.forEach(function (problem) { show(problem, "problem"); });
    (warnings || []).forEach(function (warning) { show(warning, "ignored"); });
  }

  function asProblems(fields) {
    const problems = [];
    Object.keys(fields || {}).forEach(function (id) {
      fields[id].forEach(function (message) {
        problems.push({ element_id: id === "_diagram" ? null : id, message: message });
      });
    });
    return problems;
  }

  // What the canvas shows, as XML: a label still being typed is part of it. A click on a
  // button outside the canvas does not end the typing, so it is ended here first.
  function shown(modeler) {
    const editing = modeler.get("directEditing");
    if (editing.isActive()) { editing.complete(); }
    return modeler.saveXML({ format: true });
  }

  function send(url, xml) {
    return fetch(url, {
      method: "POST", credentials: "same-origin", body: xml,
      headers: { "Content-Type": "application/xml", "X-CSRFToken": csrf, "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    });
  }

  function fetched(url, read) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) { throw new Error(response.status + " " + response.statusText); }
      return read(response);
    });
  }

  // The vocabulary (what a diagram may name) comes first: the panel's lists and the
  // lanes' labels are made from it.
  // How many instances of this procedure run, by version: they stay where they are.
  function runningNow(data) {
    return fetch(data.versionsApiUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (versions) {
        return versions.filter(function (v) { return v.running > 0; });
      });
  }

  // The analyst confirms with a change note: the promise gives the note, or null when
  // she cancels. The dialog says how many running instances stay on their version.
  function confirmed(data, running) {
    const dialog = document.getElementById("publish-dialog");
    const note = document.getElementById("change-note");
    const count = running.reduce(function (sum, v) { return sum + v.running; }, 0);
    const where = running.map(function (v) {
      return say(data, "RunningOn", { version: v.version, count: v.running });
    }).join(", ");
    document.getElementById("publish-running").textContent = count
      ? say(data, "StayOnOld", { count: count, versions: where }) : say(data, "NoneRunning");
    return new Promise(function (resolve) {
      dialog.addEventListener("close", function () {
        resolve(dialog.returnValue === "publish" ? note.value.trim() : null);
      }, { once: true });
      dialog.returnValue = "";
      note.value = "";  // each version says why it was made
      dialog.showModal();
      note.focus();
    });
  }

  function published(modeler, container, data, result) {
    if (result.status === 201) {
      const mine = result.body.filter(function (d) { return d.key === data.key; })[0] || result.body[0];
      showProblems(modeler, [], mine.warnings);
      status(mine.new_version ? say(data, "Published", { key: mine.key, version: mine.version })
        : say(data, "Identical", { version: mine.version }), "success");
      container.dataset.published = String(mine.version);
      if (mine.key === data.key) { nowShowing(data, mine.version); }
    } else if (result.status === 422) {
      showProblems(modeler, asProblems(result.body.fields));
      status(say(data, "Refused", { message: result.body.message }), "error");
    } else {
      status(result.body.message || say(data, "NotPublished"), "error");
    }
  }

  // The page now edits the version just published: its heading and address say so.
  function nowShowing(data, version) {
    document.querySelectorAll("[data-shown-version]").forEach(function (label) {
      label.textContent = say(data, "Version", { version: version });
    });
    history.replaceState(null, "", data.versionsUrl + "/" + version);
  }

  function start() {
    const container = document.getElementById("modeler");
    if (!container || typeof VarnapotModeler === "undefined") { return; }
    const data = container.dataset;
    Promise.all([
      fetched(data.vocabularyUrl, function (response) { return response.json(); }),
      fetched(data.xmlUrl, function (response) { return response.text(); })
    ]).then(function (found) {
      const modeler = VarnapotModeler.create({
        container: container, panel: document.getElementById("properties"),
        vocabulary: found[0], checkUrl: data.checkUrl, words: JSON.parse(data.panelWords || "{}")
      });
      wire(modeler, container, data);
      return modeler.importXML(found[1]).then(function () {
        modeler.get("canvas").zoom("fit-viewport", "auto");
        container.dataset.ready = "true";
      });
    }).catch(function (error) { status(say(data, "OpenFailed", { error: error.message }), "error"); });
  }

  function wire(modeler, container, data) {

    const validate = document.getElementById("validate");
    if (validate) {
      validate.addEventListener("click", function () {
        shown(modeler).then(function (saved) {
          return send(data.validateUrl, saved.xml);
        }).then(function (result) {
          if (result.status !== 200) { status(result.body.message, "error"); return; }
          showProblems(modeler, result.body.problems, result.body.warnings);
          status(result.body.valid ? say(data, "Valid")
            : say(data, "Problems", { count: result.body.problems.length }),
          result.body.valid ? "success" : "error");
        });
      });
    }

    const publish = document.getElementById("publish");
    if (publish) {
      publish.addEventListener("click", function () {
        shown(modeler).then(function (saved) {
          return runningNow(data).then(function (running) {
            return confirmed(data, running);
          }).then(function (note) {
            if (note === null) { status(say(data, "NotPublished"), ""); return null; }
            return send(data.publishUrl + "?" + new URLSearchParams({ note: note }), saved.xml);
          });
        }).then(function (result) {
          if (result) { published(modeler, container, data, result); }
        });
      });
    }

    document.getElementById("download").addEventListener("click", function () {
      shown(modeler).then(function (saved) {
        const link = document.createElement("a");
        link.href = URL.createObjectURL(new Blob([saved.xml], { type: "application/xml" }));
        link.download = data.key + ".bpmn";
        document.body.appendChild(link);
        link.click();
        link.remove();
      });
    });

    document.getElementById("open-file").addEventListener("change", function (event) {
      const file = event.target.files[0];
      if (!file) { return; }
      file.text().then(function (xml) { return modeler.importXML(xml); })
        .then(function () {
          clearProblems(modeler);
          modeler.get("canvas").zoom("fit-viewport", "auto");
          status(say(data, "Opened", { file: file.name }), "");
        })
        .catch(function (error) { status(say(data, "Unreadable", { file: file.name, error: error.message }), "error"); });
    });
  }

  document.addEventListener("DOMContentLoaded", start);
})();
