// One diagram shown read-only: the bpmn-js viewer on a container whose data-xml-url gives
// the BPMN XML, fitted to it. Compare and analytics colour its elements after this.
window.VarnapotViewer = {
  open: function (container) {
    "use strict";
    const viewer = new BpmnJS({ container: container });
    return fetch(container.dataset.xmlUrl, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status + " " + response.statusText); }
        return response.text();
      })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        viewer.get("canvas").zoom("fit-viewport", "auto");
        return viewer;
      });
  }
};
