// Entry of a compute worker thread (started by WorkerPool).
import { serveWorker } from "./serve-worker.js";

serveWorker();
