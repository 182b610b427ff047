// The modeler of the policy analysts' page: bpmn-js with the properties panel and what
// this engine adds to it. The page (web/static/modeler.js) calls VarnapotModeler.create.

import Modeler from "bpmn-js/lib/Modeler";
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from "bpmn-js-properties-panel";
import camunda from "camunda-bpmn-moddle/resources/camunda.json";

import ExpressionChecker from "./checker.js";
import EngineProperties from "./properties.js";
import LaneLabels from "./lane-labels.js";

const EngineModule = {
  __init__: ["engineProperties", "laneLabels"],
  engineProperties: ["type", EngineProperties],
  expressionChecker: ["type", ExpressionChecker],
  laneLabels: ["type", LaneLabels]
};

// Ours are open from the start: they hold what an analyst came to set.
const OPEN_GROUPS = { general: { open: true }, varnapot: { open: true },
                      "varnapot-timer": { open: true } };

// The panel's own English words, through the page's dictionary where it has them.
function translator(words) {
  return {
    translate: ["value", function (template, replacements) {
      const text = words[template] || template;
      return text.replace(/{([^}]+)}/g, function (whole, key) {
        return replacements && key in replacements ? replacements[key] : whole;
      });
    }]
  };
}

// options: container and panel (elements), vocabulary (GET /api/modeling/vocabulary),
// checkUrl (GET /api/modeling/check) and words (English -> the page's language).
export function create(options) {
  const words = options.words || {};
  return new Modeler({
    container: options.container,
    propertiesPanel: { parent: options.panel, layout: { groups: OPEN_GROUPS } },
    additionalModules: [BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, EngineModule,
                        translator(words)],
    moddleExtensions: { camunda: camunda },
    varnapot: { vocabulary: options.vocabulary, checkUrl: options.checkUrl, words: words }
  });
}
