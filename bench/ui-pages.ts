import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";

/** A page of the ui benchmark: a URL or inline HTML, its viewport and device scale factor. */
export interface BenchPage {
  name: string;
  url?: string;
  html?: string;
  scale: number;
  /** Held-out pages are never used to tune thresholds. */
  heldOut: boolean;
}

const THEMES = {
  light: "background:#fff;color:#111;font:15px sans-serif",
  dark: "background:#202124;color:#e8eaed;font:15px sans-serif",
  dense: "background:#f6f6f6;color:#222;font:12px sans-serif;line-height:1.1",
};

function generated(kind: string, theme: keyof typeof THEMES, seed: number): string {
  const words = [
    "Save",
    "Open file",
    "Delete",
    "Share",
    "Settings",
    "Profile",
    "Search",
    "Export",
    "Print",
    "Help",
  ];
  const pick = (i: number) => words[(i * 7 + seed) % words.length];
  const items = Array.from({ length: 8 }, (_, i) => i);
  const body =
    kind === "form"
      ? items
          .slice(0, 5)
          .map(
            (i) =>
              `<div style="margin:10px"><label>${pick(i)} name</label> <input placeholder="${pick(i + 3)}"></div>`,
          )
          .join("") +
        `<label><input type=checkbox> Remember me</label> <button>Submit form</button> <a href="#">Cancel</a>`
      : kind === "toolbar"
        ? `<div style="display:flex;gap:8px;padding:8px;border-bottom:1px solid #888">${items.map((i) => `<button>${pick(i)}</button>`).join("")}</div><p>Document body text goes here.</p>`
        : `<ul>${items.map((i) => `<li style="margin:6px"><a href="#">${pick(i)} item ${i + 1}</a> <button>Remove</button></li>`).join("")}</ul>`;
  return `<body style="${THEMES[theme]};padding:20px">${body}</body>`;
}

export function benchPages(): BenchPage[] {
  const pages: BenchPage[] = [];
  let n = 0;
  for (const kind of ["form", "toolbar", "list"])
    for (const theme of Object.keys(THEMES) as (keyof typeof THEMES)[])
      for (const scale of [1, 2]) {
        pages.push({
          name: `${kind}-${theme}-x${scale}`,
          html: generated(kind, theme, n),
          scale,
          heldOut: n % 4 === 3,
        });
        n++;
      }
  const dir = resolve(import.meta.dirname, "..", "..", "shared", "datasets", "miniwob-plusplus", "miniwob");
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".html"))
    .sort();
  files.slice(0, 24).forEach((f, i) => {
    pages.push({ name: `miniwob/${f}`, url: `file://${join(dir, f)}`, scale: 1, heldOut: i % 4 === 3 });
  });
  return pages;
}
