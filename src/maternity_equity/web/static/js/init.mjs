// Starts the NHS.UK frontend components (header menu, error summary focus, buttons).
import { initAll } from "../nhsuk/nhsuk-frontend.min.js";

initAll();
