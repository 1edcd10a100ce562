/** Shapes of the som serve API as the app uses them (see GET /openapi.json for the full contract). */
export interface Rle {
  size: [number, number];
  counts: string;
}

export interface ManifestMark {
  id: number;
  label: string;
  bbox: [number, number, number, number];
  area: number;
  segmentation: Rle;
  anchor: [number, number];
  labelBox: [number, number, number, number];
  color: string;
  score: number;
  source: string;
  node?: number;
  added?: boolean;
}

export interface Manifest {
  version: 1;
  image: { width: number; height: number; file?: string };
  settings: Record<string, unknown>;
  marks: ManifestMark[];
}

export interface MarkResponse {
  imageId: string;
  manifest: Manifest;
  markedImage: string;
  timings: Record<string, number>;
}

export type MarkType = "number" | "mask" | "contour" | "box";

export type RegionRef = { node: number } | { segmentation: Rle };

export interface MarkOptions {
  proposer?: "builtin" | "sam" | "ui";
  granularity: number;
  marks: MarkType[];
  labels: "numeric" | "alpha";
  alpha: number;
  include: RegionRef[];
  exclude: RegionRef[];
}

export interface Mention {
  start: number;
  end: number;
  label: string;
  id?: number;
}

export interface TaskResponse {
  imageId: string;
  task: string;
  answer: string;
  referenced: { id: number; label: string }[];
  unknown: string[];
  provider: { name: string; model: string };
  marks?: number[];
  mentions?: Mention[];
  labels?: { id: number; label: string; name: string; category: string | null }[];
  phrases?: { phrase: string; ids: number[] }[];
  answerImage: string;
}

export interface ModelsResponse {
  proposers: { name: string; model?: string }[];
  provider: { name: string; model: string } | null;
  tasks: string[];
  limits: { maxBodyBytes: number; maxPixels: number; timeoutMs: number; urlFetch: boolean };
}

export interface SegmentResponse {
  imageId: string;
  method: "builtin" | "sam";
  regions: { segmentation: Rle; bbox: number[]; area: number; node?: number }[];
}

export interface HealthResponse {
  status: "ok";
  /** Whether /v1 requests need a bearer token (servers started with --token or SOM_API_TOKEN). */
  tokenRequired?: boolean;
}
