/**
 * A rule-based web policy for MiniWoB++ click / type / check tasks: it reads only what `som agent` sends a
 * model (the task sentence, the element text list, the steps so far) and answers with one action. It tests
 * that marks, text list, parsing and actions work together, not intelligence.
 */
interface Line {
  id: number;
  role: string;
  name: string;
  raw: string;
}

type Op =
  | { verb: "click" | "check"; match: (l: Line) => boolean }
  | { verb: "type"; text: string; nth: number };

export function policyAnswer(prompt: string): string {
  const task = /^Task: (.*)$/m.exec(prompt)?.[1] ?? "";
  const elements = /\nElements:\n([\s\S]*?)\n\nSteps so far:/.exec(prompt)?.[1] ?? "";
  const lines: Line[] = [];
  for (const raw of elements.split("\n")) {
    const m = /^\[(\d+)\]\s+(\S+)(?:\s+"((?:[^"\\]|\\.)*)")?/.exec(raw);
    if (m) lines.push({ id: Number(m[1]), role: m[2], name: (m[3] ?? "").trim(), raw });
  }
  const done = (/\nSteps so far:\n([\s\S]*?)\n\nYour next action:/.exec(prompt)?.[1] ?? "")
    .split("\n")
    .filter((l) => /^\d+\. /.test(l)).length;
  const plan = planFor(task);
  if (done >= plan.length) return 'answer "done"';
  const op = plan[done];
  if (op.verb === "type") {
    const boxes = lines.filter((l) => /textbox|input/.test(l.role));
    const box = boxes[op.nth];
    return box ? `type [${box.id}] "${op.text}"` : `answer "no text field ${op.nth + 1}"`;
  }
  const target = lines.find(op.match);
  return target ? `${op.verb} [${target.id}]` : 'answer "target not found"';
}

const eq = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();
const isButton = (l: Line) => l.role === "button";
const ORDINALS = ["1st", "2nd", "3rd", "4th", "5th"];

function planFor(task: string): Op[] {
  let m = /^Click on the link "(.+)"\.?$/.exec(task);
  if (m) {
    const text = m[1];
    // MiniWoB's "links" are spans with a click listener: any element with that text.
    return [{ verb: "click", match: (l) => eq(l.name.replace(/[.,]$/, ""), text) }];
  }
  m = /^Enter the password "(.+)" into both text fields and press submit\.?$/.exec(task);
  if (m) {
    const pw = m[1];
    return [
      { verb: "type", text: pw, nth: 0 },
      { verb: "type", text: pw, nth: 1 },
      { verb: "click", match: (l) => isButton(l) && eq(l.name, "submit") },
    ];
  }
  if (/^Focus into the textbox\.?$/.test(task))
    return [{ verb: "click", match: (l) => l.role === "textbox" }];
  m = /^Focus into the (\w+) input textbox\.?$/.exec(task);
  if (m) {
    const n = ORDINALS.indexOf(m[1]);
    let seen = -1;
    return [{ verb: "click", match: (l) => l.role === "textbox" && ++seen === n }];
  }
  m = /^Select (.*) and click Submit\.?$/.exec(task);
  if (m) {
    const wanted = m[1] === "nothing" ? [] : m[1].split(/,\s*|\s+and\s+/).filter(Boolean);
    const ops: Op[] = wanted.map((w) => ({
      verb: "check",
      match: (l: Line) =>
        (l.role === "checkbox" || l.role === "radio" || l.role === "label") && eq(l.name, w),
    }));
    ops.push({ verb: "click", match: (l) => isButton(l) && eq(l.name, "submit") });
    return ops;
  }
  m = /^Click button (\w+)\.?$/.exec(task);
  if (m) {
    const name = m[1];
    return [{ verb: "click", match: (l) => isButton(l) && eq(l.name, name) }];
  }
  if (/^Click the button\.?$/.test(task)) return [{ verb: "click", match: isButton }];
  return [];
}
