/** One step a web agent can take on a marked page. Mark ids are the numbers drawn on the screenshot. */
export type AgentAction =
  | { kind: "click"; mark: number }
  | { kind: "type"; mark: number; text: string; enter: boolean }
  | { kind: "select"; mark: number; option: string }
  | { kind: "check"; mark: number }
  | { kind: "hover"; mark: number }
  | { kind: "press"; key: string }
  | { kind: "scroll"; direction: "up" | "down"; mark?: number }
  | { kind: "back" }
  | { kind: "answer"; text: string };

export type ActionKind = AgentAction["kind"];

/** The action as one canonical line, as the model is told to write it: `type [3] "shoes" + Enter`. */
export function formatAction(a: AgentAction): string {
  switch (a.kind) {
    case "click":
    case "check":
    case "hover":
      return `${a.kind} [${a.mark}]`;
    case "type":
      return `type [${a.mark}] ${JSON.stringify(a.text)}${a.enter ? " + Enter" : ""}`;
    case "select":
      return `select [${a.mark}] ${JSON.stringify(a.option)}`;
    case "press":
      return `press ${a.key}`;
    case "scroll":
      return a.mark != null ? `scroll [${a.mark}] ${a.direction}` : `scroll ${a.direction}`;
    case "back":
      return "back";
    case "answer":
      return `answer ${JSON.stringify(a.text)}`;
  }
}

/** The mark an action targets, if any. */
export function actionMark(a: AgentAction): number | undefined {
  return "mark" in a ? a.mark : undefined;
}
