/**
 * Source of the init script added to the browser context (`context.addInitScript`), so it runs in every frame,
 * same- and cross-origin, before the page's own scripts. It records, without changing behaviour:
 * - which event types each target got through `addEventListener` (patched on EventTarget.prototype),
 * - every shadow root created through `attachShadow`, closed ones included (the page cannot see those; we can).
 * State lives on one non-enumerable, symbol-keyed slot of `window`, so the page's own enumeration never sees
 * it and nothing in the DOM changes. Kept as plain JS source (not a compiled function) so the bundler can
 * never inject helpers into code that runs in the page.
 */
export const SOM_KEY = "__som_marks_v1";

export const INIT_SCRIPT = `(() => {
  const KEY = Symbol.for(${JSON.stringify(SOM_KEY)});
  if (window[KEY]) return;
  const listeners = new WeakMap();
  const shadows = new WeakMap();
  const state = { listeners, shadows, marked: [], generation: 0 };
  Object.defineProperty(window, KEY, { value: state, enumerable: false, configurable: false, writable: false });
  const proto = EventTarget.prototype;
  const add = proto.addEventListener;
  proto.addEventListener = function addEventListener(type, listener, options) {
    try {
      if (listener) {
        let set = listeners.get(this);
        if (!set) { set = new Set(); listeners.set(this, set); }
        set.add(String(type));
      }
    } catch (_) {}
    return add.call(this, type, listener, options);
  };
  const attach = Element.prototype.attachShadow;
  if (attach) {
    Element.prototype.attachShadow = function attachShadow(init) {
      const root = attach.call(this, init);
      try { shadows.set(this, root); } catch (_) {}
      return root;
    };
  }
  // Pages that check toString() (rare) still see native-looking functions.
  try {
    const nat = Function.prototype.toString;
    const fakes = new Map([[proto.addEventListener, nat.call(add)], [Element.prototype.attachShadow, attach && nat.call(attach)]]);
    Function.prototype.toString = new Proxy(nat, { apply(t, self, args) { return fakes.has(self) ? fakes.get(self) : Reflect.apply(t, self, args); } });
  } catch (_) {}
})();`;
