import { runAsk } from "../../tasks/index.js";
import { AskRequestSchema } from "../schemas.js";
import { runModelTask } from "./model-task.js";
import type { Route } from "./types.js";

/** POST /v1/ask: a free question about the marked image; the answer's mark ids come back as regions. */
export const askRoute: Route = {
  method: "POST",
  path: "/v1/ask",
  auth: true,
  async handler(r) {
    const out = await runModelTask(
      r,
      AskRequestSchema,
      ({ body, marked, provider, style, image }) =>
        runAsk({
          image,
          regions: marked.regions,
          provider,
          style,
          groupSize: body.groupSize,
          question: body.question,
        }),
      true,
    );
    const marks = (out.referenced as { id: number }[]).map((x) => x.id);
    return { ...out, marks };
  },
};
