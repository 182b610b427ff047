// Swagger UI over our OpenAPI document; a file, not an inline script, for the CSP.
(function () {
  var node = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({ url: node.dataset.spec, dom_id: "#swagger-ui" });
})();
