/**
 * Models `som models download NAME` knows, all public ONNX exports in the transformers.js layout on the
 * Hugging Face hub. Checksums are not pinned here: each file is verified against the hub's own metadata
 * for the revision (LFS sha256 for weights, git blob sha1 for small files), listed before downloading.
 */
export interface KnownModel {
  name: string;
  repo: string;
  revision: string;
  description: string;
}

export const KNOWN_MODELS: readonly KnownModel[] = [
  {
    name: "sam-vit-base",
    repo: "Xenova/sam-vit-base",
    revision: "main",
    description: "SAM ViT-B (Meta), 94M",
  },
  {
    name: "slimsam-77",
    repo: "Xenova/slimsam-77-uniform",
    revision: "main",
    description: "SlimSAM, pruned SAM, small",
  },
  {
    name: "sam2.1-tiny",
    repo: "onnx-community/sam2.1-hiera-tiny-ONNX",
    revision: "main",
    description: "SAM 2.1 Hiera-T",
  },
  {
    name: "sam2.1-small",
    repo: "onnx-community/sam2.1-hiera-small-ONNX",
    revision: "main",
    description: "SAM 2.1 Hiera-S",
  },
  {
    name: "sam2.1-base-plus",
    repo: "onnx-community/sam2.1-hiera-base-plus-ONNX",
    revision: "main",
    description: "SAM 2.1 Hiera-B+",
  },
  {
    name: "edgetam",
    repo: "onnx-community/EdgeTAM-ONNX",
    revision: "main",
    description: "EdgeTAM, on-device SAM 2",
  },
];

export function findKnownModel(name: string): KnownModel | undefined {
  return KNOWN_MODELS.find((m) => m.name === name);
}
