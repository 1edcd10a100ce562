import { describe, expect, it } from "vitest";
import { DEFAULT_QUEUE_NAME } from "../../src/batch/queue.js";
import * as cli from "../../src/cli/defaults.js";
import { DEFAULT_MAX_PIXELS } from "../../src/image/load.js";
import { DEFAULT_ALPHA, DEFAULT_MARKS } from "../../src/pipeline/mark.js";
import { DEFAULT_GRANULARITY } from "../../src/pipeline/regions.js";
import { PROVIDER_NAMES } from "../../src/providers/create.js";
import { DEFAULT_PNG_LEVEL, MARK_TYPES } from "../../src/render/render.js";

describe("CLI defaults (light copies for a fast --help)", () => {
  it("equal the values of the modules that own them", () => {
    expect(cli.MARK_TYPES).toEqual(MARK_TYPES);
    expect(cli.DEFAULT_PNG_LEVEL).toBe(DEFAULT_PNG_LEVEL);
    expect(cli.DEFAULT_MARKS).toEqual(DEFAULT_MARKS);
    expect(cli.DEFAULT_ALPHA).toBe(DEFAULT_ALPHA);
    expect(cli.DEFAULT_GRANULARITY).toBe(DEFAULT_GRANULARITY);
    expect(cli.DEFAULT_MAX_PIXELS).toBe(DEFAULT_MAX_PIXELS);
    expect(cli.PROVIDER_NAMES).toEqual(PROVIDER_NAMES);
    expect(cli.DEFAULT_QUEUE_NAME).toBe(DEFAULT_QUEUE_NAME);
  });
});
