import type { Mask } from "../../regions/mask.js";
import { makeRegion, type Region } from "../../regions/region.js";
import type { WebMark } from "./types.js";

/** One rectangle region per mark (its visible box), id = mark id, for the renderer and the manifest. */
export function marksToRegions(marks: readonly WebMark[], width: number, height: number): Region[] {
  return marks.map((m) => {
    const [x, y, w, h] = m.bbox;
    const mask: Mask = { width, height, x, y, w, h, data: new Uint8Array(w * h).fill(1) };
    return makeRegion(m.id, mask, "web");
  });
}
