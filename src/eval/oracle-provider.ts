/**
 * The `oracle` provider: a perfect reader of the marked image, built per sample from the ground truth. It
 * answers each request (one per group of marks) with the JSON object a task's schema asks for, naming the
 * mark(s) that best match the truth, so the score measures the marks themselves: the proposer's upper
 * bound (the paper's Table 4 with ground-truth masks). Its answers still go through the task's parser.
 */
import type { Provider } from "../providers/types.js";

/** Small images keep rendering cheap: the oracle never looks at them. */
const ORACLE_LIMITS = { maxLongSide: 768 };

/** `answers[k]` answers the k-th request (the k-th group of marks). */
export function oracleProvider(answers: readonly unknown[]): Provider {
  let call = 0;
  return {
    name: "oracle",
    model: "ground-truth",
    imageLimits: ORACLE_LIMITS,
    structuredOutput: true,
    settings: {},
    async complete() {
      const object = answers[Math.min(call, answers.length - 1)];
      call++;
      return { text: JSON.stringify(object), object, usage: {}, finishReason: "stop" };
    },
  };
}
