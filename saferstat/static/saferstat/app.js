// Initialise GOV.UK Frontend components. No inline scripts: the CSP forbids them.
import { initAll } from "/static/vendor/govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// Wide tables scroll inside their own labelled, focusable region (docs/frontend.md), so a page
// never runs wider than the window (WCAG 1.4.10 reflow). Templates wrap most tables
// themselves; this wraps any other, on load and after each HTMX swap.
function labelFor(table) {
  const caption = table.querySelector("caption");
  if (caption && caption.textContent.trim()) return caption.textContent.trim();
  let el = table.previousElementSibling;
  while (el && !/^H[1-6]$/.test(el.tagName)) el = el.previousElementSibling;
  return el ? el.textContent.trim() : "Table";
}

function wrapTables(root) {
  for (const table of root.querySelectorAll("table")) {
    if (table.closest(".app-table-scroll")) continue;
    const region = document.createElement("div");
    region.className = "app-table-scroll";
    region.setAttribute("role", "region");
    region.setAttribute("tabindex", "0");
    region.setAttribute("aria-label", labelFor(table) + " (scrolls sideways)");
    table.parentNode.insertBefore(region, table);
    region.appendChild(table);
  }
}

wrapTables(document);
document.body.addEventListener("htmx:afterSwap", (event) => wrapTables(event.target));
