import type { WebMark, WebMarks } from "./types.js";

/** Longest name shown in the text list (the manifest keeps the full 200 characters). */
const NAME_CHARS = 80;

const quote = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
const short = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** One line of the text list: `[12] button "Add to cart"`, `[13] textbox "Search" value="shoes"`, `[14] link "Help" → /help`. */
export function formatMarkLine(mark: WebMark): string {
  const e = mark.element;
  const parts = [`[${mark.id}]`, e.role];
  if (e.name) parts.push(quote(short(e.name, NAME_CHARS)));
  if (e.value !== undefined && e.value !== "" && e.value !== e.name)
    parts.push(`value=${quote(short(e.value, NAME_CHARS))}`);
  if (e.placeholder && e.placeholder !== e.name && !e.value)
    parts.push(`placeholder=${quote(short(e.placeholder, NAME_CHARS))}`);
  if (e.checked !== undefined) parts.push(e.checked ? "checked" : "unchecked");
  if (e.selected) parts.push("selected");
  if (e.disabled) parts.push("disabled");
  if (e.frame !== "main") parts.push(`(frame ${e.frame})`);
  let line = parts.join(" ");
  if (e.href && !e.href.startsWith("javascript:")) line += ` → ${short(e.href, NAME_CHARS)}`;
  return line;
}

/**
 * The `<stem>.elements.txt` text list: one line per mark in id order, then a footer with how many interactive
 * elements lie outside the viewport (and in which direction), so a model knows to scroll. Deterministic: the
 * same marks give the same text.
 */
export function formatElementList(
  marks: readonly WebMark[],
  info: Pick<WebMarks, "outside" | "truncated"> & Partial<Pick<WebMarks, "url" | "title">>,
): string {
  const lines: string[] = [];
  if (info.title || info.url) lines.push(`# ${[info.title, info.url].filter(Boolean).join(" — ")}`);
  for (const m of marks) lines.push(formatMarkLine(m));
  if (marks.length === 0) lines.push("(no interactive elements visible)");
  const o = info.outside;
  const total = o.above + o.below + o.left + o.right;
  const where = (
    [
      [o.above, "above"],
      [o.below, "below"],
      [o.left, "left"],
      [o.right, "right"],
    ] as const
  )
    .filter(([n]) => n > 0)
    .map(([n, w]) => `${n} ${w}`);
  lines.push(
    total > 0
      ? `-- ${total} more interactive element${total === 1 ? "" : "s"} outside the viewport (${where.join(", ")})`
      : "-- no interactive elements outside the viewport",
  );
  if (info.truncated > 0)
    lines.push(
      `-- ${info.truncated} more visible element${info.truncated === 1 ? "" : "s"} not marked (--max-marks)`,
    );
  return `${lines.join("\n")}\n`;
}
