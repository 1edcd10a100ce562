import { UserError } from "../errors.js";
import { assertDetectorFits } from "./builtin/detector-model.js";
import type { Proposer } from "./proposer.js";

export const PROPOSER_NAMES = ["builtin", "masks", "sam", "ui"] as const;
export type ProposerName = (typeof PROPOSER_NAMES)[number];

/** Create a proposer by name. Modules load lazily so `som mark` never pays for ONNX when it is not used. */
export async function createProposer(
  name: string,
  _options: Record<string, unknown> = {},
): Promise<Proposer> {
  assertDetectorFits(_options.detector, name);
  switch (name) {
    case "builtin": {
      const { createBuiltinProposer } = await import("./builtin/index.js");
      // The detector guiding it (--detector, default auto): src/proposers/builtin/detector-cli.ts
      const { detectorFromCli } = await import("./builtin/detector-cli.js");
      return createBuiltinProposer({ detector: await detectorFromCli(_options, name) });
    }
    case "sam": {
      const { createSamProposerFromCli } = await import("./sam/cli-options.js");
      return createSamProposerFromCli(_options);
    }
    case "ui":
      return (await import("./ui/index.js")).createUiProposer();
    case "masks":
      throw new UserError("--proposer masks needs --masks FILE");
    default:
      throw new UserError(`unknown proposer "${name}" (choose from ${PROPOSER_NAMES.join(", ")})`);
  }
}
