/**
 * The docs page's own script, served as a file (`assets/<version>/init.js`) rather than inline, so the page runs
 * under a Content-Security-Policy without 'unsafe-inline' (helmet's default, and the page's own: page.ts). It reads
 * the OpenAPI document's URL from the page, relative to the page, so the router may be mounted anywhere.
 */
export const INIT_SCRIPT = `'use strict'
// An optional form field left empty is not sent (curl -F, as the API documents show it): swagger-ui's own default
// sends it empty, which a route that checks the field's format refuses. Its "Send empty value" box still sends it.
function optionalFieldsLeftOut(system) {
  return {
    wrapComponents: {
      ParameterIncludeEmpty: function (Original) {
        return function (props) {
          var options = Object.assign({}, props.isIncludedOptions, { defaultValue: false })
          return system.React.createElement(Original, Object.assign({}, props, { isIncludedOptions: options }))
        }
      },
    },
  }
}
window.addEventListener('load', function () {
  var root = document.getElementById('swagger-ui')
  window.ui = SwaggerUIBundle({
    plugins: [optionalFieldsLeftOut],
    url: new URL(root.getAttribute('data-openapi'), document.baseURI).href,
    dom_id: '#swagger-ui',
    // The default asks validator.swagger.io for a badge: the page makes no request to another host.
    validatorUrl: null,
    deepLinking: true,
    docExpansion: 'list',
    filter: true,
    displayRequestDuration: true,
    // Credentials typed into Authorize stay in this tab's memory, never in localStorage.
    persistAuthorization: false,
  })
})
`
