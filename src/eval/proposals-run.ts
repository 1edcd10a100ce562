import { performance } from "node:perf_hooks";
import type { Proposer } from "../proposers/proposer.js";
import { type ImageScore, type ProposalSummary, scoreImage, summarise } from "./proposals.js";
import { type DatasetKind, loadDataset } from "./proposals-data.js";

export interface EvalProposalsOptions {
  kind: DatasetKind;
  dir: string;
  proposer: Proposer;
  /** One or more granularities; the proposer's cache makes extra ones cheap for the built-in proposer. */
  granularities: number[];
  maxMarks?: number;
  limit?: number;
  /** Images to pass over first (e.g. to check figures on images the tuning did not see). */
  skip?: number;
  /** Called after each image with its scores, one per granularity. */
  onImage?: (name: string, scores: ImageScore[]) => void;
}

export interface EvalProposalsResult {
  granularity: number;
  summary: ProposalSummary;
  perImage: ImageScore[];
}

/**
 * Run a proposer over a data set and score its regions. Seconds per image are those of the first
 * granularity's `propose` call (the one that builds the hierarchy); decoding the files is not counted.
 */
export async function evaluateProposals(o: EvalProposalsOptions): Promise<EvalProposalsResult[]> {
  const per: ImageScore[][] = o.granularities.map(() => []);
  for await (const gt of loadDataset(o.kind, o.dir, o.limit, o.skip ?? 0)) {
    const scores: ImageScore[] = [];
    for (let i = 0; i < o.granularities.length; i++) {
      const t0 = performance.now();
      const regions = await o.proposer.propose(gt.image, {
        granularity: o.granularities[i],
        maxMarks: o.maxMarks,
      });
      const seconds = (performance.now() - t0) / 1000;
      const s = scoreImage(gt, regions, seconds, o.kind === "bsds");
      per[i].push(s);
      scores.push(s);
    }
    o.onImage?.(gt.name, scores);
  }
  return o.granularities.map((granularity, i) => ({
    granularity,
    summary: summarise(per[i]),
    perImage: per[i],
  }));
}
