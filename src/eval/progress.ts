/**
 * A progress bar on stderr. On a terminal it redraws one line (bar, count, rate, ETA); otherwise (a log
 * file, CI) it prints a plain line at every tenth of the run, so logs stay readable.
 */
export interface Progress {
  tick(note?: string): void;
  done(): void;
}

export interface ProgressOptions {
  label: string;
  total: number;
  /** Samples already finished before this run (resumed). */
  already: number;
  stream?: NodeJS.WriteStream;
  enabled?: boolean;
}

export function createProgress(o: ProgressOptions): Progress {
  const stream = o.stream ?? process.stderr;
  if (o.enabled === false || o.total === 0) return { tick() {}, done() {} };
  const tty = stream.isTTY === true;
  const start = Date.now();
  let count = o.already;
  let ranHere = 0;
  let lastDraw = 0;
  let lastDecile = Math.floor((10 * count) / o.total);
  const line = (note?: string) => {
    const frac = count / o.total;
    const elapsed = (Date.now() - start) / 1000;
    const per = ranHere > 0 ? elapsed / ranHere : 0;
    const eta = per * (o.total - count);
    const width = 24;
    const filled = Math.round(frac * width);
    const bar = tty ? `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ` : "";
    const rate = ranHere > 0 ? ` · ${per.toFixed(2)} s/sample · ETA ${duration(eta)}` : "";
    return `${o.label} ${bar}${count}/${o.total} (${Math.round(frac * 100)}%)${rate}${note ? ` · ${note}` : ""}`;
  };
  if (tty) stream.write(`\r\x1b[2K${line()}`);
  else if (o.already > 0) stream.write(`${o.label}: ${o.already}/${o.total} already done, resuming\n`);
  return {
    tick(note) {
      count++;
      ranHere++;
      if (tty) {
        const now = Date.now();
        if (now - lastDraw > 100 || count === o.total) {
          lastDraw = now;
          stream.write(`\r\x1b[2K${line(note)}`);
        }
        return;
      }
      const decile = Math.floor((10 * count) / o.total);
      if (decile > lastDecile) {
        lastDecile = decile;
        stream.write(`${line(note)}\n`);
      }
    },
    done() {
      if (tty) stream.write(`\r\x1b[2K${line()}\n`);
    },
  };
}

function duration(s: number): string {
  if (!Number.isFinite(s)) return "?";
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}
