export type Rgb = [number, number, number];

/**
 * Distinct, deterministic mark colours: hues stepped by the golden angle so consecutive ids differ strongly,
 * with saturation/value alternating in a short cycle to separate ids whose hues come close again.
 */
export function markColor(id: number): Rgb {
  const hue = (((id - 1) * 0.618033988749895) % 1) * 360;
  const sat = [0.85, 0.65, 0.95][(id - 1) % 3];
  const val = [0.95, 0.8, 0.7, 1.0][(id - 1) % 4];
  return hsvToRgb(hue, sat, val);
}

export function hsvToRgb(h: number, s: number, v: number): Rgb {
  const c = v * s;
  const x = c * (1 - Math.abs(((h / 60) % 2) - 1));
  const m = v - c;
  const [r, g, b] =
    h < 60
      ? [c, x, 0]
      : h < 120
        ? [x, c, 0]
        : h < 180
          ? [0, c, x]
          : h < 240
            ? [0, x, c]
            : h < 300
              ? [x, 0, c]
              : [c, 0, x];
  return [Math.round((r + m) * 255), Math.round((g + m) * 255), Math.round((b + m) * 255)];
}

export function toHex([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((v) => v.toString(16).padStart(2, "0")).join("")}`;
}

/** WCAG 2 relative luminance of an sRGB colour. */
export function relativeLuminance([r, g, b]: Rgb): number {
  const lin = (v: number) => {
    const c = v / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG 2 contrast ratio, 1…21. */
export function contrastRatio(a: Rgb, b: Rgb): number {
  const la = relativeLuminance(a);
  const lb = relativeLuminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/**
 * Black or white, whichever contrasts more with `bg`. The better of the two is always ≥ 4.58:1 (the worst
 * case is a background whose luminance makes both ratios equal), so labels always meet WCAG AA (4.5:1).
 */
export function textColorFor(bg: Rgb): Rgb {
  return contrastRatio(bg, [0, 0, 0]) >= contrastRatio(bg, [255, 255, 255]) ? [0, 0, 0] : [255, 255, 255];
}
