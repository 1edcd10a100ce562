import { useEffect, useRef } from "preact/hooks";
import { markAt, paintOverlay, type RunsById } from "../overlay";
import type { Manifest } from "../types";

interface Props {
  manifest: Manifest;
  markedImage: string;
  runs: RunsById;
  selected: ReadonlySet<number>;
  highlighted: ReadonlySet<number>;
  addMode: boolean;
  busy: string | null;
  onToggle(id: number): void;
  /** Add the region under a point (click) or along a stroke (drag), in image pixels. */
  onAddPoint(x: number, y: number): void;
  onAddStroke(points: [number, number][]): void;
}

/** The marked image with a canvas on top for selection and highlights; click to select, click/drag to add. */
export function Viewer(p: Props) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const stroke = useRef<[number, number][] | null>(null);
  const { width, height } = p.manifest.image;

  useEffect(() => {
    if (canvas.current)
      paintOverlay(canvas.current, width, height, p.manifest.marks, p.runs, p.selected, p.highlighted);
  }, [p.manifest, p.runs, p.selected, p.highlighted, width, height]);

  const toImage = (e: PointerEvent): [number, number] => {
    const r = (e.currentTarget as HTMLElement).getBoundingClientRect();
    return [((e.clientX - r.left) / r.width) * width, ((e.clientY - r.top) / r.height) * height];
  };

  const handlers = {
    onPointerDown(e: PointerEvent) {
      if (e.button !== 0) return;
      (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
      stroke.current = [toImage(e)];
    },
    onPointerMove(e: PointerEvent) {
      if (!stroke.current) return;
      const pt = toImage(e);
      const last = stroke.current[stroke.current.length - 1];
      if (Math.hypot(pt[0] - last[0], pt[1] - last[1]) > 2) stroke.current.push(pt);
    },
    onPointerUp(e: PointerEvent) {
      const pts = stroke.current;
      stroke.current = null;
      if (!pts) return;
      const [x, y] = pts[0];
      const span = Math.max(...pts.map(([px, py]) => Math.hypot(px - x, py - y)));
      if (span > Math.max(6, width / 100)) {
        p.onAddStroke(pts.map(([px, py]) => [Math.round(px), Math.round(py)]));
        return;
      }
      const hit = markAt(p.manifest.marks, p.runs, x, y);
      if (hit && !p.addMode && !e.shiftKey) p.onToggle(hit.id);
      else p.onAddPoint(Math.min(width - 1, Math.max(0, x)), Math.min(height - 1, Math.max(0, y)));
    },
  };

  return (
    <div class="viewer" aria-busy={p.busy ? "true" : "false"}>
      <div class="stage" style={{ aspectRatio: `${width} / ${height}` }}>
        <img
          src={p.markedImage}
          alt={`${p.manifest.marks.length} numbered marks over the input`}
          draggable={false}
        />
        <canvas
          ref={canvas}
          class={p.addMode ? "overlay add" : "overlay"}
          data-testid="overlay"
          {...handlers}
          title={
            p.addMode
              ? "click or drag to add a region"
              : "click a mark to select it; shift-click to add a region"
          }
        />
        {p.busy && (
          <div class="busy" role="status">
            <span class="spinner" aria-hidden="true" />
            {p.busy}
          </div>
        )}
      </div>
    </div>
  );
}
