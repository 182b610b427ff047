// A lane is named by the key of the role that does its tasks ("legal_adviser"): that is
// what the engine reads. The canvas shows the role's label ("legal adviser") instead; the
// XML keeps the key. A lane named by anything else shows its name as it is.

import BaseRenderer from "diagram-js/lib/draw/BaseRenderer";
import { is } from "bpmn-js/lib/util/ModelUtil";

const ABOVE_BPMN = 1500;

export default function LaneLabels(eventBus, bpmnRenderer, config) {
  BaseRenderer.call(this, eventBus, ABOVE_BPMN);
  const roles = new Map(((config.varnapot || {}).vocabulary || { roles: [] }).roles
    .map(function (role) { return [role.key, role.label]; }));

  this.canRender = function (element) {
    return is(element, "bpmn:Lane") && roles.has(element.businessObject.name);
  };

  // The default drawing, of a lane whose name reads as the role's label.
  this.drawShape = function (parentGfx, element, attrs) {
    const semantic = element.businessObject;
    const label = roles.get(semantic.name);
    const shown = Object.create(semantic, {
      name: { value: label },
      get: { value: function (name) { return name === "name" ? label : semantic.get(name); } }
    });
    return bpmnRenderer.drawShape(parentGfx, Object.create(element, {
      businessObject: { value: shown }
    }), attrs);
  };

  this.getShapePath = function (element) {
    return bpmnRenderer.getShapePath(element);
  };
}

LaneLabels.prototype = Object.create(BaseRenderer.prototype);
LaneLabels.$inject = ["eventBus", "bpmnRenderer", "config"];
