// A decision table, read-only: dmn-js's viewer, fed the table's DMN XML.
(function () {
  "use strict";

  function say(container, name, values) {
    const text = container.dataset["msg" + name] || name;
    return text.replace(/\{(\w+)\}/g, function (whole, key) {
      return values && key in values ? String(values[key]) : whole;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    const container = document.getElementById("decision");
    const status = document.getElementById("decision-status");
    if (!container || typeof window.DmnJS !== "function") { return; }
    const viewer = new window.DmnJS({ container: container });
    container.setAttribute("aria-busy", "true");
    fetch(container.dataset.xmlUrl, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        container.dataset.ready = "true";
        container.removeAttribute("aria-busy");
      })
      .catch(function (error) {
        container.removeAttribute("aria-busy");
        status.textContent = say(container, "Unreadable", { error: error.message });
      });
  });
}());
