/** Kept for test/eval, which imports `som` from here; new tests import from ../helpers/cli.js. */
export { somInProcess as som } from "../helpers/cli.js";
