/** The marks an answer may name: label text as drawn → mark id. */
export interface MarkIndex {
  /** "numeric" when every label is digits ("1","2",…), "alpha" for letters ("a","b",…,"aa"). */
  readonly style: "numeric" | "alpha";
  /** Lower-case label → id. */
  readonly byLabel: ReadonlyMap<string, number>;
}

export function markIndex(marks: readonly { id: number; label: string }[]): MarkIndex {
  const byLabel = new Map<string, number>();
  for (const m of marks) byLabel.set(m.label.trim().toLowerCase(), m.id);
  const numeric = marks.every((m) => /^\d+$/.test(m.label.trim()));
  return { style: numeric ? "numeric" : "alpha", byLabel };
}

/** Numeric marks 1..n labelled "1".."n" (the common case, and handy in tests). */
export function numericMarks(n: number): MarkIndex {
  return markIndex(Array.from({ length: n }, (_, i) => ({ id: i + 1, label: String(i + 1) })));
}
