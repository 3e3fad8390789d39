// Initialise GOV.UK Frontend components. No inline scripts: the CSP forbids them.
import { initAll } from "/static/vendor/govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
