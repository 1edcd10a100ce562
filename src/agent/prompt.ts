/** What the model is told each step: the actions it may take, the task, the marks as text, the steps so far. */
export const AGENT_SYSTEM = `You operate a web browser to complete a task. Each step you get a screenshot of the page with numbered marks on its interactive elements, the same elements as a text list, and the steps taken so far.
Answer with exactly one action, on its own line, in one of these forms:
click [n]
type [n] "text"            (add + Enter to submit)
select [n] "option"
check [n]
hover [n]
press KEY                  (Enter, Tab, Escape, ArrowDown, …)
scroll up | scroll down    (the page)
scroll [n] up|down         (inside element n)
back
answer "…"                 (when the task is done, or to give the information it asks for)`;

export interface PastStep {
  action: string;
  result: string;
}

export function agentPrompt(task: string, url: string, elements: string, steps: readonly PastStep[]): string {
  const history = steps.length
    ? steps.map((s, i) => `${i + 1}. ${s.action} → ${s.result}`).join("\n")
    : "(none yet)";
  return `Task: ${task}\nPage: ${url}\n\nElements:\n${elements || "(no interactive elements marked)"}\n\nSteps so far:\n${history}\n\nYour next action:`;
}
