import { type Command, InvalidArgumentError, Option } from "commander";
import type { LabelStyle } from "../marks/labels.js";
import type { MarkType } from "../render/render.js";
import {
  DEFAULT_ALPHA,
  DEFAULT_GRANULARITY,
  DEFAULT_MARKS,
  DEFAULT_MAX_PIXELS,
  MARK_TYPES,
} from "./defaults.js";

/** commander argument parsers that turn bad values into one-line errors. */
export function parseUnit(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0 || n > 1)
      throw new InvalidArgumentError(`${name} must be a number from 0 to 1`);
    return n;
  };
}

/** Number(v), but an empty or blank value is not 0. */
function toNumber(v: string): number {
  return v.trim() === "" ? Number.NaN : Number(v);
}

export function parsePositiveNumber(name: string) {
  return (v: string): number => {
    const n = toNumber(v);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number`);
    return n;
  };
}

export function parseNumberIn(name: string, lo: number, hi: number) {
  return (v: string): number => {
    const n = toNumber(v);
    if (!Number.isFinite(n) || n < lo || n > hi)
      throw new InvalidArgumentError(`${name} must be from ${lo} to ${hi}`);
    return n;
  };
}

export function parseNonNegativeInt(name: string) {
  return (v: string): number => {
    const n = toNumber(v);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number ≥ 0`);
    return n;
  };
}

export function parsePositiveInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive integer`);
    return n;
  };
}

export function parseMarkTypes(v: string): MarkType[] {
  const parts = v
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const aliases: Record<string, MarkType> = {
    label: "number",
    letter: "number",
    numbers: "number",
    masks: "mask",
  };
  const out: MarkType[] = [];
  for (const p of parts) {
    const t = (aliases[p] ?? p) as MarkType;
    if (!MARK_TYPES.includes(t)) {
      throw new InvalidArgumentError(`unknown mark type "${p}" (choose from ${MARK_TYPES.join(", ")})`);
    }
    if (!out.includes(t)) out.push(t);
  }
  if (out.length === 0) throw new InvalidArgumentError("give at least one mark type");
  return out;
}

export function parseLabelStyle(v: string): LabelStyle {
  if (v === "numeric" || v === "alpha") return v;
  throw new InvalidArgumentError('must be "numeric" or "alpha"');
}

/** Flags shared by every command that proposes regions and draws marks (mark, ask, task). */
export interface MarkingCliFlags {
  proposer?: string;
  masks?: string;
  segmentsInfo?: string;
  granularity: number;
  maxMarks?: number;
  marks: MarkType[];
  labels: LabelStyle;
  alpha: number;
  fontSize?: number;
  maxPixels: number;
}

/** `--granularity` and `--max-marks`: how many regions a proposer offers (som mark, ask, task). */
export function addRegionCountOptions(cmd: Command): Command {
  return cmd
    .option(
      "-g, --granularity <g>",
      "0 = few large regions … 1 = many small ones",
      parseUnit("--granularity"),
      DEFAULT_GRANULARITY,
    )
    .option("-n, --max-marks <n>", "mark at most N regions", parsePositiveInt("--max-marks"));
}

/** How marks are drawn (`--marks`, `--labels`, `--alpha`, `--font-size`) and the input size guard. */
export function addDrawOptions(cmd: Command, labels: LabelStyle): Command {
  return cmd
    .addOption(
      new Option("--marks <types>", "what to draw: number,mask,contour,box in any mix")
        .argParser(parseMarkTypes)
        .default([...DEFAULT_MARKS], DEFAULT_MARKS.join(",")),
    )
    .option("--labels <style>", "label text: numeric (1,2,…) or alpha (a…z, aa…)", parseLabelStyle, labels)
    .option("--alpha <a>", "mask tint opacity 0..1", parseUnit("--alpha"), DEFAULT_ALPHA)
    .option(
      "--font-size <px>",
      "label font size (default: 3% of the shorter image side)",
      parsePositiveInt("--font-size"),
    )
    .option(
      "--max-pixels <n>",
      "refuse larger images (decompression-bomb guard)",
      parsePositiveInt("--max-pixels"),
      DEFAULT_MAX_PIXELS,
    );
}
