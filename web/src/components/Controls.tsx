import type { MarkOptions, MarkType } from "../types";

const MARK_TYPES: { type: MarkType; label: string }[] = [
  { type: "number", label: "Labels" },
  { type: "mask", label: "Mask" },
  { type: "contour", label: "Contour" },
  { type: "box", label: "Box" },
];

interface Props {
  options: MarkOptions;
  samAvailable: boolean;
  markCount: number | null;
  lastMs: number | null;
  onChange(next: Partial<MarkOptions>): void;
}

/** Granularity slider and mark-style toggles. Every control is a native input, so keyboards just work. */
export function Controls({ options, samAvailable, markCount, lastMs, onChange }: Props) {
  const toggle = (t: MarkType, on: boolean) => {
    const marks = on ? [...options.marks, t] : options.marks.filter((m) => m !== t);
    if (marks.length > 0) onChange({ marks: MARK_TYPES.map((m) => m.type).filter((m) => marks.includes(m)) });
  };
  return (
    <section class="panel" aria-labelledby="controls-title">
      <h2 id="controls-title">Marks</h2>
      <label class="slider">
        <span class="row">
          <span>Granularity</span>
          <output data-testid="mark-count" aria-live="polite">
            {markCount === null ? "…" : `${markCount} marks`}
            {lastMs !== null && <small> · {lastMs} ms</small>}
          </output>
        </span>
        <input
          type="range"
          min={0}
          max={1}
          step={0.05}
          value={options.granularity}
          aria-label="Granularity: coarse to fine"
          aria-valuetext={`${Math.round(options.granularity * 100)}% fine`}
          data-testid="granularity"
          onInput={(e) => onChange({ granularity: Number((e.currentTarget as HTMLInputElement).value) })}
        />
        <span class="row hint">
          <span>coarse</span>
          <span>fine</span>
        </span>
      </label>
      <fieldset class="toggles">
        <legend>Draw</legend>
        {MARK_TYPES.map(({ type, label }) => (
          <label key={type} class="check">
            <input
              type="checkbox"
              checked={options.marks.includes(type)}
              disabled={options.marks.length === 1 && options.marks.includes(type)}
              onChange={(e) => toggle(type, (e.currentTarget as HTMLInputElement).checked)}
            />
            {label}
          </label>
        ))}
      </fieldset>
      <div class="row wrap">
        <label class="inline">
          Labels
          <select
            value={options.labels}
            onChange={(e) =>
              onChange({ labels: (e.currentTarget as HTMLSelectElement).value as MarkOptions["labels"] })
            }
          >
            <option value="numeric">1, 2, 3</option>
            <option value="alpha">a, b, c</option>
          </select>
        </label>
        <label class="inline">
          Opacity
          <input
            type="range"
            min={0}
            max={1}
            step={0.05}
            value={options.alpha}
            aria-label="Mask opacity"
            onChange={(e) => onChange({ alpha: Number((e.currentTarget as HTMLInputElement).value) })}
          />
        </label>
        {samAvailable && (
          <label class="inline">
            Regions
            <select
              value={options.proposer ?? "builtin"}
              onChange={(e) =>
                onChange({
                  proposer: (e.currentTarget as HTMLSelectElement).value as MarkOptions["proposer"],
                })
              }
            >
              <option value="builtin">built-in</option>
              <option value="sam">SAM</option>
              <option value="ui">screenshot (OCR)</option>
            </select>
          </label>
        )}
      </div>
    </section>
  );
}
