// The API page: Swagger UI renders the OpenAPI document named by #swagger-ui (no inline script).
(function () {
  "use strict";

  function render() {
    var root = document.getElementById("swagger-ui");
    if (!root || typeof window.SwaggerUIBundle !== "function") return;
    window.SwaggerUIBundle({
      url: root.getAttribute("data-openapi-url"),
      domNode: root,
      deepLinking: false,
      // The public validator badge would load an image from another site (CSP img-src 'self').
      validatorUrl: null,
      docExpansion: "list",
      defaultModelsExpandDepth: 0,
    });
  }

  document.addEventListener("DOMContentLoaded", render);
})();
