// Compare: the two versions side by side, each element coloured by how it changed (the
// rows of the table below): on the older diagram what was removed, on the newer what was
// added, on both what changed or only moved. A click on a row shows its element on both.
(function () {
  "use strict";

  const SIDES = { from: ["removed", "changed", "moved"], to: ["added", "changed", "moved"] };

  function changes() {
    return Array.prototype.map.call(document.querySelectorAll("#changes tr[data-element-id]"),
      function (row) { return { id: row.dataset.elementId, change: row.dataset.change, row: row }; });
  }

  function show(container, listed) {
    return VarnapotViewer.open(container)
      .then(function (viewer) {
        const canvas = viewer.get("canvas");
        const registry = viewer.get("elementRegistry");
        listed.forEach(function (item) {
          if (SIDES[container.dataset.side].indexOf(item.change) >= 0 && registry.get(item.id)) {
            canvas.addMarker(item.id, "diff-" + item.change);
          }
        });
        container.dataset.ready = "true";
        return viewer;
      })
      .catch(function (error) {
        container.textContent = String(error.message || error);
        return null;
      });
  }

  // The element of a row, on each diagram that has it: marked, and in view.
  function focus(viewers, id) {
    viewers.forEach(function (viewer) {
      if (!viewer) { return; }
      const canvas = viewer.get("canvas");
      viewer.get("elementRegistry").forEach(function (element) {
        canvas.removeMarker(element.id, "diff-focus");
      });
      const element = viewer.get("elementRegistry").get(id);
      if (element) {
        canvas.addMarker(id, "diff-focus");
        canvas.scrollToElement(element);
      }
    });
  }

  function start() {
    const panes = document.querySelectorAll(".diff-canvas");
    if (!panes.length || typeof VarnapotViewer === "undefined") { return; }
    const listed = changes();
    Promise.all(Array.prototype.map.call(panes, function (pane) { return show(pane, listed); }))
      .then(function (viewers) {
        listed.forEach(function (item) {
          item.row.tabIndex = 0;
          item.row.addEventListener("click", function () { focus(viewers, item.id); });
          item.row.addEventListener("keydown", function (event) {
            if (event.key === "Enter" || event.key === " ") {
              event.preventDefault();
              focus(viewers, item.id);
            }
          });
        });
      });
  }

  document.addEventListener("DOMContentLoaded", start);
})();
