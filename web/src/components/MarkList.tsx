import type { ManifestMark } from "../types";

interface Props {
  marks: ManifestMark[];
  selected: ReadonlySet<number>;
  highlighted: ReadonlySet<number>;
  addMode: boolean;
  edits: number;
  onToggle(id: number): void;
  onRemoveSelected(): void;
  onClearSelection(): void;
  onResetEdits(): void;
  onAddMode(on: boolean): void;
}

/** Every mark as a button (the keyboard way to select), and the region editing actions. */
export function MarkList(p: Props) {
  return (
    <section class="panel" aria-labelledby="regions-title">
      <h2 id="regions-title">
        Regions{" "}
        <small>{p.selected.size > 0 ? `${p.selected.size} selected` : "click a mark to select"}</small>
      </h2>
      <fieldset class="chips" aria-label="Marks">
        {p.marks.map((m) => (
          <button
            type="button"
            key={m.id}
            class={`chip${p.highlighted.has(m.id) ? " hl" : ""}`}
            aria-pressed={p.selected.has(m.id)}
            data-mark={m.id}
            style={{ "--c": m.color }}
            title={`mark ${m.label}: ${m.area} px${m.added ? " (added)" : ""}`}
            onClick={() => p.onToggle(m.id)}
          >
            {m.label}
          </button>
        ))}
      </fieldset>
      <div class="row wrap actions">
        <button
          type="button"
          aria-pressed={p.addMode}
          onClick={() => p.onAddMode(!p.addMode)}
          title="In add mode, a click adds the finer region under the cursor; a drag adds a scribbled region"
        >
          {p.addMode ? "Adding regions…" : "Add region"}
        </button>
        <button type="button" disabled={p.selected.size === 0} onClick={p.onRemoveSelected}>
          Remove selected
        </button>
        <button type="button" disabled={p.selected.size === 0} onClick={p.onClearSelection}>
          Clear selection
        </button>
        <button type="button" disabled={p.edits === 0} onClick={p.onResetEdits}>
          Undo edits ({p.edits})
        </button>
      </div>
    </section>
  );
}
