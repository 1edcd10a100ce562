// `node --import ./test/helpers/no-detector/register.mjs …`: the detector's optional packages resolve as
// if they were not installed (ERR_MODULE_NOT_FOUND), to test the weight-free fallback for real.
import { register } from "node:module";

register("./hooks.mjs", import.meta.url);
