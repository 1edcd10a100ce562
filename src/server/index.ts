export { ServerContext } from "./context.js";
export { HttpError } from "./errors.js";
export { buildOpenApi } from "./openapi.js";
export { DEFAULT_SERVE_OPTIONS, isLoopbackHost, type ServeOptions } from "./options.js";
export { checkServeOptions, createSomServer, type SomServer, startSomServer } from "./server.js";
