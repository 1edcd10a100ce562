import { runAsk } from "../../tasks/index.js";
import { AskRequestSchema } from "../schemas.js";
import { mentionSpans, runModelTask } from "./model-task.js";
import type { Route } from "./types.js";

/** POST /v1/ask: a free question about the marked image; the answer's mark ids come back as regions. */
export const askRoute: Route = {
  method: "POST",
  path: "/v1/ask",
  auth: true,
  async handler(r) {
    let mentions: ReturnType<typeof mentionSpans> = [];
    const out = await runModelTask(r, AskRequestSchema, async ({ body, marked, provider, style, image }) => {
      const result = await runAsk({
        image,
        regions: marked.regions,
        provider,
        style,
        groupSize: body.groupSize,
        question: body.question,
      });
      mentions = mentionSpans(result.json.answer, marked, style.labels);
      return result;
    });
    const marks = (out.referenced as { id: number }[]).map((x) => x.id);
    return { ...out, marks, mentions };
  },
};
