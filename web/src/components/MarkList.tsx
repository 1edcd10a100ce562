import { useLayoutEffect, useRef, useState } from "preact/hooks";
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

/**
 * Every mark as a button (the keyboard way to select), and the region editing actions. The mark buttons
 * are one Tab stop (roving tabindex): arrow keys, Home and End move between them, Space toggles, so Tab
 * gets past a dense image's marks to the chat in one step.
 */
export function MarkList(p: Props) {
  const [current, setCurrent] = useState(0);
  const [overflows, setOverflows] = useState(false);
  const chips = useRef<HTMLFieldSetElement>(null);
  // A dense image's marks do not fit the panel: say that the list scrolls (its scrollbar is always shown).
  useLayoutEffect(() => {
    const el = chips.current;
    if (!el) return;
    const check = () => setOverflows(el.scrollHeight > el.clientHeight + 1);
    check();
    const ro = new ResizeObserver(check);
    ro.observe(el);
    return () => ro.disconnect();
  }, [p.marks]);
  const at = Math.min(current, Math.max(0, p.marks.length - 1));
  const onKeyDown = (e: KeyboardEvent) => {
    const last = p.marks.length - 1;
    const next: Record<string, number> = {
      ArrowRight: at + 1,
      ArrowDown: at + 1,
      ArrowLeft: at - 1,
      ArrowUp: at - 1,
      Home: 0,
      End: last,
    };
    if (!(e.key in next)) return;
    e.preventDefault();
    const k = Math.max(0, Math.min(last, next[e.key]));
    setCurrent(k);
    chips.current?.querySelectorAll<HTMLButtonElement>(".chip")[k]?.focus();
  };
  return (
    <section class="panel" aria-labelledby="regions-title">
      <h2 id="regions-title">
        Regions{" "}
        <small>{p.selected.size > 0 ? `${p.selected.size} selected` : "click a mark to select"}</small>
      </h2>
      <fieldset
        class={overflows ? "chips overflows" : "chips"}
        data-testid="mark-list"
        aria-label="Marks (arrow keys move, Space selects)"
        ref={chips}
        onKeyDown={onKeyDown}
      >
        {p.marks.map((m, k) => (
          <button
            type="button"
            key={m.id}
            tabIndex={k === at ? 0 : -1}
            onFocus={() => setCurrent(k)}
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
      {overflows && (
        <p class="hint more" data-testid="mark-list-more">
          All {p.marks.length} marks: scroll the list for the rest
        </p>
      )}
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
