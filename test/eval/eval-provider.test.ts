import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dataset } from "../helpers/datasets.js";
import type { ModelInput } from "../helpers/fake-http-server.js";
import { startFakeOpenAI } from "../helpers/fake-openai-server.js";
import { useModelEnv } from "../helpers/model-env.js";
import { somInProcess as som } from "../helpers/cli.js";

const COCO = dataset("coco-panoptic-val2017");
const KEY = "sk-eval-secret-42";
const env = useModelEnv("som-eval-provider-", KEY);

/** The mark id of each expression's segment with --masks gt: its position in the image's segments_info. */
async function expectedMarks(): Promise<Map<string, number>> {
  const subset = JSON.parse(await readFile(join(COCO, "refcocos_val2017_subset.json"), "utf8"));
  const pan = JSON.parse(await readFile(join(COCO, "panoptic_val2017.json"), "utf8"));
  const out = new Map<string, number>();
  for (const e of subset.expressions) {
    if (e.matched_segment_id == null) continue;
    const ann = pan.annotations.find((a: { image_id: number }) => a.image_id === e.image_id);
    out.set(
      e.expression,
      ann.segments_info.findIndex((s: { id: number }) => s.id === e.matched_segment_id) + 1,
    );
  }
  return out;
}

describe("som eval refer against an OpenAI-protocol server, then replayed", () => {
  it("sends the paper's prompt with the marked image, scores the answers, and replays them offline", async () => {
    const truth = await expectedMarks();
    const seen: ModelInput[] = [];
    const server = await startFakeOpenAI({
      apiKey: KEY,
      model: (input) => {
        seen.push(input);
        const expr = /Please tell me the IDs for: (.*)\.$/.exec(input.prompt)?.[1] ?? "";
        const id = truth.get(expr);
        return JSON.stringify({ ids: id ? [String(id)] : [] });
      },
    });
    const out = join(env.dir, "live");
    const rec = join(env.dir, "answers.jsonl");
    const args = [
      "eval",
      "refer",
      "-d",
      `refcocos:${COCO}`,
      "--masks",
      "gt",
      "--limit",
      "4",
      "--json",
      "--no-progress",
    ];
    let live: { metrics: Record<string, number>; provider: string; samples: number; breakdown: unknown };
    try {
      const r = await som([
        ...args,
        "--provider",
        "openai",
        "--base-url",
        server.baseURL,
        "-o",
        out,
        "--record",
        rec,
        "-c",
        "2",
      ]);
      expect(r.stderr).not.toContain(KEY);
      expect(r.code).toBe(0);
      live = JSON.parse(r.stdout);
    } finally {
      await server.close();
    }
    expect(seen).toHaveLength(4);
    const subset = JSON.parse(await readFile(join(COCO, "refcocos_val2017_subset.json"), "utf8"));
    for (const e of subset.expressions.slice(0, 4)) {
      const req = seen.find((s) => s.prompt.includes(e.expression))!;
      // The SoM-Bench wording, unchanged.
      expect(req.prompt).toBe(
        `I have labeled a bright numeric ID at the center for each visual object in the image. Please tell me the IDs for: ${e.expression}.`,
      );
      expect(req.image.subarray(1, 4).toString()).toBe("PNG");
      expect(req.schema).toBeDefined();
    }
    expect(live.provider).toBe("openai");
    // Of the first four expressions three have a segment (all found) and one denotes nothing.
    expect(live.samples).toBe(4);
    expect(live.metrics.mIoU).toBe(1);
    expect(live.metrics.no_target_accuracy).toBe(1);

    // The recorded answers replay offline (the server is closed) to the same scores.
    const replayed = await som([...args, "--replay", rec, "-o", join(env.dir, "replayed")]);
    expect(replayed.code).toBe(0);
    const r2 = JSON.parse(replayed.stdout);
    expect(r2.provider).toBe("replay");
    expect(r2.metrics).toEqual(live.metrics);
    expect(r2.breakdown).toEqual(live.breakdown);
    const lines = (await readFile(join(env.dir, "replayed", "samples.jsonl"), "utf8")).trim().split("\n");
    expect(lines.map((l) => JSON.parse(l).cached)).toEqual([true, true, true, true]);
  });
});
