/** Progress of a batch: a live bar on a terminal, one plain line per item otherwise. */
import type { LedgerRecord } from "./types.js";

export interface Progress {
  /** An item finished (done or failed) or was skipped. */
  item(rec: LedgerRecord | { skipped: string }): void;
  note(message: string): void;
  end(): void;
}

function clock(s: number): string {
  if (!Number.isFinite(s)) return "--:--";
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  const ss = String(Math.floor(s % 60)).padStart(2, "0");
  return h ? `${h}:${String(m % 60).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

export function createProgress(o: {
  total: number;
  stream?: NodeJS.WriteStream;
  quiet?: boolean;
  tty?: boolean;
}): Progress {
  const stream = o.stream ?? process.stderr;
  const tty = o.tty ?? stream.isTTY === true;
  const t0 = performance.now();
  let finished = 0;
  let done = 0;
  let failed = 0;
  let skipped = 0;
  let drawn = 0;
  const bar = () => {
    const n = finished + skipped;
    const secs = (performance.now() - t0) / 1000;
    const rate = finished / Math.max(secs, 1e-9);
    const eta = rate > 0 ? (o.total - n) / rate : Number.POSITIVE_INFINITY;
    const width = 24;
    const fill = o.total ? Math.round((n / o.total) * width) : width;
    const fails = failed ? `  ${failed} failed` : "";
    const skips = skipped ? `  ${skipped} skipped` : "";
    return `som batch [${"#".repeat(fill)}${".".repeat(width - fill)}] ${n}/${o.total}  ${rate.toFixed(2)}/s  ETA ${clock(eta)}${fails}${skips}`;
  };
  const draw = (force = false) => {
    const now = performance.now();
    if (!force && now - drawn < 100) return;
    drawn = now;
    stream.write(`\r\x1b[2K${bar()}`);
  };
  return {
    item(rec) {
      if ("skipped" in rec) skipped++;
      else {
        finished++;
        if (rec.status === "done") done++;
        else failed++;
      }
      if (o.quiet) return;
      if (tty) return draw(finished + skipped === o.total);
      const n = finished + skipped;
      if ("skipped" in rec) stream.write(`[${n}/${o.total}] ${rec.skipped}: skipped (done before)\n`);
      else if (rec.status === "done")
        stream.write(
          `[${n}/${o.total}] ${rec.input}: ${rec.marks ?? 0} marks → ${(rec.outputs ?? []).join(", ")} (${Math.round(rec.timings.total)} ms)\n`,
        );
      else stream.write(`[${n}/${o.total}] ${rec.input}: failed: ${rec.error}\n`);
      void done;
    },
    note(message) {
      if (o.quiet) return;
      stream.write(tty ? `\r\x1b[2Ksom: ${message}\n${bar()}` : `som: ${message}\n`);
    },
    end() {
      if (!o.quiet && tty) {
        draw(true);
        stream.write("\n");
      }
    },
  };
}
