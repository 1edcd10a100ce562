// Module resolve hook: the optional detector packages are "not installed".
const HIDDEN = /^@tensorflow\/|^@vladmandic\/human(\/|$)/;

export async function resolve(specifier, context, next) {
  if (HIDDEN.test(specifier)) {
    const err = new Error(`Cannot find package '${specifier}' (hidden by the test)`);
    err.code = "ERR_MODULE_NOT_FOUND";
    throw err;
  }
  return next(specifier, context);
}
