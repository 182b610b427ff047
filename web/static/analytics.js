// The heat map of a procedure: its diagram, each element coloured by the measure chosen
// (five shades, from the least to the most), with the figure beside it. The figures come
// from the page (#heat-data), computed on the server.
(function () {
  "use strict";

  const SHADES = 5;

  function start() {
    const container = document.getElementById("heat-map");
    const source = document.getElementById("heat-data");
    if (!container || !source || typeof VarnapotViewer === "undefined") { return; }
    const values = JSON.parse(source.textContent);
    VarnapotViewer.open(container)
      .then(function (viewer) {
        const canvas = viewer.get("canvas");
        const registry = viewer.get("elementRegistry");
        const overlays = viewer.get("overlays");
        const top = Math.max.apply(null, Object.keys(values).map(function (id) {
          return values[id].value;
        }).concat([0]));
        Object.keys(values).forEach(function (id) {
          if (!registry.get(id) || !top) { return; }
          const shade = Math.max(1, Math.ceil(values[id].value / top * SHADES));
          canvas.addMarker(id, "heat-" + shade);
          const badge = document.createElement("div");
          badge.className = "heat-badge heat-" + shade;
          badge.textContent = values[id].text;
          overlays.add(id, "heat", { position: { top: -12, right: 8 }, html: badge });
        });
        container.dataset.ready = "true";
      })
      .catch(function (error) { container.textContent = String(error.message || error); });
  }

  document.addEventListener("DOMContentLoaded", start);
})();
