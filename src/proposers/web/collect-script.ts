import { SOM_KEY } from "./init-script.js";

/** What the in-page collector returns for one element (coordinates: CSS px of its frame's viewport). */
export interface CollectedElement {
  /** Visible part of the box (clipped by overflow ancestors, the viewport and the frame's visible part). */
  rect: [number, number, number, number];
  /** Where a hit test found the element itself. */
  point: [number, number];
  tag: string;
  role: string;
  name: string;
  text: string;
  value?: string;
  placeholder?: string;
  checked?: boolean;
  selected?: boolean;
  disabled?: boolean;
  href?: string;
  selector: string;
  why: string[];
  /** Index into the frame's `marked` store (for live handles). */
  index: number;
}

export interface CollectResult {
  elements: CollectedElement[];
  /** Candidates that passed the style checks but lie outside the viewport (not marked). */
  outside: { above: number; below: number; left: number; right: number };
  generation: number;
}

export interface CollectArgs {
  /** Visible part of this frame's viewport [x0, y0, x1, y1] (CSS px, its own coordinates). */
  clip: [number, number, number, number];
  maxText: number;
}

/**
 * In-page collector (plain JS source; see init-script.ts for why). One call per frame does all the work in
 * the page: walk the DOM through open and recorded closed shadow roots, pick candidates by signal, check
 * styles, clip by overflow ancestors, hit-test several points of the box, collapse nested candidates that
 * share one click target, and describe each survivor.
 *
 * React and other delegating frameworks: React 17+ registers one listener per event type on its root
 * container, and keeps each element's handlers on a `__reactProps$…` (older: `__reactEventHandlers$…`)
 * property of the DOM node. An element whose own props hold onClick / onMouseDown / onPointerDown … counts as
 * having its own listener (why "react"): that is where React dispatches the click, so it is the element's
 * handler in every sense that matters to a click. Listeners on window, document,
 * html and body are delegation roots and never make a mark by themselves.
 */
export const COLLECT_SCRIPT = `(args) => {
  const KEY = Symbol.for(${JSON.stringify(SOM_KEY)});
  const state = window[KEY] || { listeners: new WeakMap(), shadows: new WeakMap(), marked: [], generation: 0 };
  const CLICKY = new Set(["click", "mousedown", "mouseup", "pointerdown", "pointerup", "touchstart", "touchend", "dblclick", "contextmenu", "auxclick"]);
  const REACT_HANDLERS = ["onClick", "onMouseDown", "onMouseUp", "onPointerDown", "onPointerUp", "onTouchStart", "onDoubleClick", "onContextMenu"];
  const ROLES = new Set(["button", "link", "checkbox", "radio", "tab", "menuitem", "menuitemcheckbox", "menuitemradio", "option", "switch", "combobox", "textbox", "searchbox", "slider", "spinbutton", "treeitem", "gridcell", "listbox", "scrollbar"]);
  const INPUT_ROLES = { checkbox: "checkbox", radio: "radio", range: "slider", number: "spinbutton", search: "searchbox", button: "button", submit: "button", reset: "button", image: "button", file: "button", color: "button" };
  const doc = document;
  const shadowOf = (el) => el.shadowRoot || state.shadows.get(el) || null;
  const parentOf = (el) => el.parentElement || (el.parentNode && el.parentNode.host) || null;

  const hasClickListener = (t) => { const s = state.listeners.get(t); if (!s) return false; for (const x of s) if (CLICKY.has(x)) return true; return false; };
  // Own keys only (Object.keys): a for-in over a DOM node would list hundreds of prototype properties.
  const reactProps = (el) => {
    for (const k of Object.keys(el)) {
      if (k.startsWith("__reactProps$") || k.startsWith("__reactEventHandlers$")) return el[k];
    }
    return null;
  };

  // 1. Walk every element in document order, descending into shadow roots.
  const all = [];
  const walk = (root) => {
    const w = doc.createTreeWalker(root, NodeFilter.SHOW_ELEMENT);
    for (let n = w.nextNode(); n; n = w.nextNode()) {
      all.push(n);
      const sr = shadowOf(n);
      if (sr) walk(sr);
    }
  };
  walk(doc.documentElement || doc);
  const isRootish = (el) => el === doc.documentElement || el === doc.body;
  const candidates = [];
  const info = new Map();
  for (const el of all) {
    const tag = el.localName;
    const why = [];
    let strong = false;
    const cs = getComputedStyle(el);
    if (cs.display === "none") continue;
    // native controls
    if ((tag === "a" || tag === "area") && el.hasAttribute("href")) why.push("native");
    else if (tag === "button" || tag === "select" || tag === "textarea" || tag === "summary") why.push("native");
    else if (tag === "input" && el.type !== "hidden") why.push("native");
    else if (tag === "label" && el.control) why.push("label");
    else if (tag === "iframe" || tag === "frame") continue;
    const role = (el.getAttribute("role") || "").trim().split(/\\s+/)[0];
    if (role && ROLES.has(role)) why.push("role");
    if (!isRootish(el)) {
      if (hasClickListener(el)) why.push("listener");
      else if (el.onclick || el.onmousedown || el.onpointerdown || el.hasAttribute("onclick") || el.hasAttribute("onmousedown")) why.push("listener");
      else {
        const p = reactProps(el);
        if (p && REACT_HANDLERS.some((h) => typeof p[h] === "function")) why.push("react");
      }
    }
    if (el.isContentEditable && !(el.parentElement && el.parentElement.isContentEditable)) why.push("contenteditable");
    strong = why.length > 0;
    const ti = el.getAttribute("tabindex");
    if (ti !== null && Number(ti) >= 0 && !isRootish(el)) why.push("tabindex");
    if (cs.cursor === "pointer" && !isRootish(el)) {
      const p = parentOf(el);
      if (!p || getComputedStyle(p).cursor !== "pointer") why.push("cursor");
    }
    if (why.length === 0) continue;
    info.set(el, { el, why, strong, cs, tag, role });
    candidates.push(el);
  }

  // 2. Styles and geometry: visible box, clipped by overflow ancestors and the frame's visible part.
  const [cx0, cy0, cx1, cy1] = args.clip;
  const vw = Math.min(cx1, innerWidth), vh = Math.min(cy1, innerHeight);
  const outside = { above: 0, below: 0, left: 0, right: 0 };
  // Effective opacity (product over ancestors), cached per element: siblings share their ancestors.
  const opacities = new Map();
  const opacityOf = (el) => {
    if (!el) return 1;
    let o = opacities.get(el);
    if (o === undefined) { o = Number(getComputedStyle(el).opacity) * opacityOf(parentOf(el)); opacities.set(el, o); }
    return o;
  };
  const opacityOk = (el) => opacityOf(el) >= 0.05;
  // Clip rectangle an element's ancestors impose (overflow other than visible), cached per ancestor. A fixed
  // element escapes the clipping of everything above it.
  const INF = [-Infinity, -Infinity, Infinity, Infinity];
  const clips = new Map();
  const clipOfChildrenOf = (a) => {
    if (!a) return INF;
    let c = clips.get(a);
    if (c) return c;
    const s = getComputedStyle(a);
    const up = s.position === "fixed" ? INF : clipOfChildrenOf(parentOf(a));
    c = up;
    if (s.overflowX !== "visible" || s.overflowY !== "visible") {
      const ar = a.getBoundingClientRect();
      c = [...up];
      if (s.overflowX !== "visible") { c[0] = Math.max(c[0], ar.left + a.clientLeft); c[2] = Math.min(c[2], ar.left + a.clientLeft + (a.clientWidth || ar.width)); }
      if (s.overflowY !== "visible") { c[1] = Math.max(c[1], ar.top + a.clientTop); c[3] = Math.min(c[3], ar.top + a.clientTop + (a.clientHeight || ar.height)); }
    }
    clips.set(a, c);
    return c;
  };
  const clipped = (el, r) => {
    const c = info.get(el).cs.position === "fixed" ? INF : clipOfChildrenOf(parentOf(el));
    const x0 = Math.max(r.left, c[0]), y0 = Math.max(r.top, c[1]), x1 = Math.min(r.right, c[2]), y1 = Math.min(r.bottom, c[3]);
    return x1 <= x0 || y1 <= y0 ? null : [x0, y0, x1, y1];
  };
  const hitAt = (x, y) => {
    let h = doc.elementFromPoint(x, y);
    for (let depth = 0; h && depth < 32; depth++) {
      const sr = shadowOf(h);
      if (!sr || !sr.elementFromPoint) break;
      const inner = sr.elementFromPoint(x, y);
      if (!inner || inner === h) break;
      h = inner;
    }
    return h;
  };

  // 3. Collapse nested candidates with one click target: an inner candidate with only weak signals
  // (cursor / tabindex) inside a candidate belongs to it; an outer candidate with only weak signals whose
  // strong inner candidate fills most of it gives way to the inner one; a label whose control is inside it
  // and visible gives way to the control.
  const owner = new Map(); // element -> kept candidate element
  const nearestCandidateAbove = (el) => { for (let a = parentOf(el); a; a = parentOf(a)) if (info.has(a)) return a; return null; };
  const rects = new Map();
  for (const el of candidates) rects.set(el, el.getBoundingClientRect());
  const dropped = new Set();
  for (const el of candidates) {
    const me = info.get(el);
    const up = nearestCandidateAbove(el);
    if (up && !me.strong) { dropped.add(el); continue; }
    if (up && me.strong && !info.get(up).strong) {
      const a = rects.get(el), b = rects.get(up);
      if (a.width * a.height >= 0.6 * b.width * b.height) dropped.add(up);
    }
  }
  const resolveOwner = (el) => { let e = el; while (e && dropped.has(e)) { const up = nearestCandidateAbove(e); if (!up) break; e = up; } return e; };
  for (const el of candidates) owner.set(el, dropped.has(el) ? resolveOwner(el) : el);
  // When an outer weak candidate was dropped for its inner one, its other weak children point at the inner.

  const ownerOfHit = (h) => {
    for (let e = h; e; e = parentOf(e)) { if (info.has(e)) return owner.get(e); }
    return null;
  };
  const FRACTIONS = [[0.5, 0.5], [0.25, 0.5], [0.75, 0.5], [0.5, 0.25], [0.5, 0.75], [0.2, 0.2], [0.8, 0.2], [0.2, 0.8], [0.8, 0.8], [0.1, 0.5], [0.9, 0.5]];
  const kept = [];
  for (const el of candidates) {
    if (dropped.has(el)) continue;
    const me = info.get(el);
    if (me.cs.visibility === "hidden" || me.cs.visibility === "collapse") continue;
    const r = rects.get(el);
    if (r.width < 1 || r.height < 1) continue;
    if (r.bottom <= cy0) { outside.above++; continue; }
    if (r.top >= vh) { outside.below++; continue; }
    if (r.right <= cx0) { outside.left++; continue; }
    if (r.left >= vw) { outside.right++; continue; }
    const c = clipped(el, r);
    if (!c) continue;
    const x0 = Math.max(c[0], cx0, 0), y0 = Math.max(c[1], cy0, 0), x1 = Math.min(c[2], vw), y1 = Math.min(c[3], vh);
    if (x1 - x0 < 1 || y1 - y0 < 1) continue;
    const label = me.tag === "label" ? el.control : null;
    if (!opacityOk(el)) continue;
    let point = null;
    for (const [fx, fy] of FRACTIONS) {
      const px = x0 + (x1 - x0) * fx, py = y0 + (y1 - y0) * fy;
      const o = ownerOfHit(hitAt(px, py));
      if (o === el || (label && o === label)) { point = [px, py]; break; }
    }
    if (!point) continue;
    kept.push({ el, me, rect: [x0, y0, x1 - x0, y1 - y0], point });
  }
  // A label gives way to its own control when the control got a mark of its own.
  const keptSet = new Set(kept.map((k) => k.el));
  const final = kept.filter((k) => !(k.me.tag === "label" && k.el.control && keptSet.has(k.el.control)));

  // 4. Describe.
  const clean = (s) => (s || "").replace(/\\s+/g, " ").trim();
  const cut = (s, n) => (s.length > n ? s.slice(0, n - 1) + "…" : s);
  // textContent, not innerText: innerText walks layout per call (10× slower on big pages); hidden text inside
  // a visible control is rare enough.
  const textOf = (el) => clean(el.textContent);
  // Labels per control, computed once (el.labels searches the whole tree on every call).
  const labelsOf = new Map();
  for (const el of all) {
    if (el.localName === "label" && el.control) {
      const list = labelsOf.get(el.control) || [];
      list.push(el);
      labelsOf.set(el.control, list);
    }
  }
  const byId = (root, id) => (root.getElementById ? root.getElementById(id) : root.querySelector ? root.querySelector("#" + CSS.escape(id)) : null);
  const nameOf = (el, tag, text) => {
    const al = el.getAttribute("aria-label");
    if (al && al.trim()) return clean(al);
    const lb = el.getAttribute("aria-labelledby");
    if (lb) {
      const root = el.getRootNode();
      const t = lb.split(/\\s+/).map((id) => { const n = byId(root, id) || doc.getElementById(id); return n ? textOf(n) : ""; }).join(" ");
      if (clean(t)) return clean(t);
    }
    const labels = labelsOf.get(el);
    if (labels) { const t = clean(labels.map((l) => textOf(l)).join(" ")); if (t) return t; }
    if (tag === "input" && (el.type === "submit" || el.type === "button" || el.type === "reset")) return clean(el.value || el.type);
    if (tag === "img" || (tag === "input" && el.type === "image")) { const a = el.getAttribute("alt"); if (a) return clean(a); }
    const isField = tag === "input" || tag === "textarea" || tag === "select";
    if (!isField && text) return text;
    if (!isField) { const img = el.querySelector && el.querySelector("img[alt], svg title"); if (img) return clean(img.getAttribute("alt") || img.textContent); }
    return clean(el.getAttribute("title") || (isField ? el.getAttribute("placeholder") : "") || "");
  };
  const roleOf = (el, tag, role) => {
    if (role) return role;
    if (tag === "a" || tag === "area") return el.hasAttribute("href") ? "link" : "generic";
    if (tag === "button" || tag === "summary") return "button";
    if (tag === "select") return el.multiple || el.size > 1 ? "listbox" : "combobox";
    if (tag === "textarea") return "textbox";
    if (tag === "input") return INPUT_ROLES[el.type] || "textbox";
    if (tag === "label") return "label";
    if (el.isContentEditable) return "textbox";
    if (tag === "img") return "img";
    return tag;
  };
  // nth-of-type position and same-tag sibling count per child, computed once per parent.
  const typeIndex = new Map();
  const typePos = (p, e) => {
    let m = typeIndex.get(p);
    if (!m) {
      m = new Map();
      const counts = new Map();
      for (const c of p.children) { const n = (counts.get(c.localName) || 0) + 1; counts.set(c.localName, n); m.set(c, n); }
      m.counts = counts;
      typeIndex.set(p, m);
    }
    return [m.get(e), m.counts.get(e.localName)];
  };
  const idCounts = new Map();
  const uniqueId = (e) => {
    const root = e.getRootNode();
    let m = idCounts.get(root);
    if (!m) { m = new Map(); for (const x of root.querySelectorAll("[id]")) m.set(x.id, (m.get(x.id) || 0) + 1); idCounts.set(root, m); }
    return m.get(e.id) === 1;
  };
  const selectorIn = (el) => {
    const parts = [];
    for (let e = el; e && e.nodeType === 1; ) {
      const p = e.parentNode;
      if (e.id && /^[A-Za-z][\\w-]*$/.test(e.id) && uniqueId(e)) { parts.unshift("#" + e.id); break; }
      let part = e.localName;
      if (p && p.children) {
        const [pos, count] = typePos(p, e);
        if (count > 1) part += ":nth-of-type(" + pos + ")";
      }
      parts.unshift(part);
      if (!p || p.nodeType !== 1) break;
      e = p;
    }
    return parts.join(" > ");
  };
  const selectorOf = (el) => {
    // Shadow hops joined by " >>> " (one CSS selector per tree, outermost first).
    const chain = [];
    for (let e = el; e; ) {
      chain.unshift(selectorIn(e));
      const root = e.getRootNode();
      e = root && root.host ? root.host : null;
    }
    return chain.join(" >>> ");
  };
  state.generation++;
  state.marked = final.map((k) => k.el);
  const elements = final.map((k, index) => {
    const { el, me } = k;
    const tag = me.tag;
    const text = cut(textOf(el), args.maxText);
    const out = { rect: k.rect, point: k.point, tag, role: roleOf(el, tag, me.role), name: cut(nameOf(el, tag, text), args.maxText), text, selector: selectorOf(el), why: me.why, index };
    if (tag === "input" || tag === "textarea" || tag === "select") {
      if (!(tag === "input" && (el.type === "checkbox" || el.type === "radio" || el.type === "submit" || el.type === "button"))) out.value = cut(String(el.value || ""), args.maxText);
      if (el.placeholder) out.placeholder = cut(el.placeholder, args.maxText);
      if (tag === "input" && (el.type === "checkbox" || el.type === "radio")) out.checked = el.checked;
    } else if (el.isContentEditable) out.value = text;
    const ac = el.getAttribute("aria-checked");
    if (ac !== null) out.checked = ac === "true";
    if (tag === "label" && el.control && (el.control.type === "checkbox" || el.control.type === "radio")) out.checked = el.control.checked;
    const as = el.getAttribute("aria-selected");
    if (as !== null) out.selected = as === "true";
    if (tag === "option") out.selected = el.selected;
    if (el.disabled === true || el.getAttribute("aria-disabled") === "true" || (el.closest && el.closest("fieldset:disabled") && tag !== "a")) out.disabled = true;
    if ((tag === "a" || tag === "area") && el.hasAttribute("href")) out.href = el.getAttribute("href");
    return out;
  });
  return { elements, outside, generation: state.generation };
}`;

/** Resolve a selector written by COLLECT_SCRIPT (shadow hops " >>> ", closed roots through the init script). */
export const RESOLVE_SCRIPT = `([selector, generation, index]) => {
  const state = window[Symbol.for(${JSON.stringify(SOM_KEY)})];
  if (state && state.generation === generation) {
    const el = state.marked[index];
    if (el && el.isConnected) return el;
  }
  let root = document;
  let el = null;
  for (const part of selector.split(" >>> ")) {
    el = root.querySelector(part);
    if (!el) return null;
    root = el.shadowRoot || (state && state.shadows.get(el)) || null;
    if (!root) root = el;
  }
  return el;
}`;
