/**
 * Models `som models download NAME` knows, all public ONNX exports in the transformers.js layout on the
 * Hugging Face hub, each pinned to one commit of its repository so a download fetches the same bytes on
 * every machine and every day. Each file is still verified against the hub's own metadata for that commit
 * (LFS sha256 for weights, git blob sha1 for small files), listed before downloading.
 *
 * The commits are ones that public projects already pin these repositories to (each with the exact
 * files `download` fetches); none was made up. Where no public pin could be found (`sam-vit-base`), the
 * entry keeps a branch name: `download` then resolves the branch to its commit at download time, fetches
 * everything at that commit and records it, and says the model is not pinned.
 */
export interface KnownModel {
  name: string;
  repo: string;
  /** A 40-hex commit (pinned), or a branch name resolved to its commit when downloading (not pinned). */
  revision: string;
  description: string;
}

const COMMIT = /^[0-9a-f]{40}$/;

/** Whether `revision` is a full commit hash (as opposed to a branch or tag name). */
export function isCommit(revision: string): boolean {
  return COMMIT.test(revision);
}

export const KNOWN_MODELS: readonly KnownModel[] = [
  {
    name: "sam-vit-base",
    repo: "Xenova/sam-vit-base",
    // Not pinned: no public pin of this repository to a commit could be verified.
    revision: "main",
    description: "SAM ViT-B (Meta), 94M",
  },
  {
    name: "slimsam-77",
    repo: "Xenova/slimsam-77-uniform",
    revision: "5850ab45f587c112167512ffef949107115e26a0",
    description: "SlimSAM, pruned SAM, small",
  },
  {
    name: "sam2.1-tiny",
    repo: "onnx-community/sam2.1-hiera-tiny-ONNX",
    revision: "814a066640debee5a91e70aa401fb8e17e030503",
    description: "SAM 2.1 Hiera-T",
  },
  {
    name: "sam2.1-small",
    repo: "onnx-community/sam2.1-hiera-small-ONNX",
    revision: "a7df49d8de14b9d2e4504d1687b0d568f905fd8d",
    description: "SAM 2.1 Hiera-S",
  },
  {
    name: "sam2.1-base-plus",
    repo: "onnx-community/sam2.1-hiera-base-plus-ONNX",
    revision: "bab18593f44e652f04cf18b60b3690f60e8996b0",
    description: "SAM 2.1 Hiera-B+",
  },
  {
    name: "edgetam",
    repo: "onnx-community/EdgeTAM-ONNX",
    revision: "9c77c7bff7fd0f3079585fa17af7f730ddc531ed",
    description: "EdgeTAM, on-device SAM 2",
  },
];

export function findKnownModel(name: string): KnownModel | undefined {
  return KNOWN_MODELS.find((m) => m.name === name);
}
