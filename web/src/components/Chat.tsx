import { useRef, useState } from "preact/hooks";
import type { Mention, TaskResponse } from "../types";

export type TaskName = "ask" | "refer" | "ground" | "classify" | "track";

export interface ChatMessage {
  role: "user" | "answer" | "error";
  task: TaskName;
  text: string;
  /** Answer only: the marks it names, clickable spans in `text`, and per-task details. */
  ids?: number[];
  mentions?: Mention[];
  details?: { text: string; ids: number[] }[];
  /** The marks shown when the answer came; if they changed since, ids may point elsewhere. */
  marksKey?: string;
}

const TASKS: { task: TaskName; label: string; placeholder: string }[] = [
  { task: "ask", label: "Ask", placeholder: "Ask about the image, e.g. which mark is the dog?" },
  { task: "refer", label: "Refer", placeholder: "Describe one object, e.g. the cup left of the laptop" },
  {
    task: "ground",
    label: "Ground",
    placeholder: "A sentence; phrases after |, e.g. a man with a dog | a man; a dog",
  },
  {
    task: "classify",
    label: "Classify",
    placeholder: "Category names separated by commas, or coco / ade20k",
  },
  {
    task: "track",
    label: "Track",
    placeholder: "Match the selected marks of the previous image in this one",
  },
];

interface Props {
  messages: ChatMessage[];
  provider: { name: string; model: string } | null;
  busy: boolean;
  canTrack: boolean;
  marksKey: string;
  onSend(task: TaskName, text: string): void;
  onShow(ids: number[]): void;
}

/** The chat: a task menu, a prompt box, and answers whose mark ids light up their regions. */
export function Chat(p: Props) {
  const [task, setTask] = useState<TaskName>("ask");
  const [text, setText] = useState("");
  const box = useRef<HTMLTextAreaElement>(null);
  const spec = TASKS.find((t) => t.task === task)!;
  const disabled = !p.provider || p.busy || (task === "track" && !p.canTrack);
  const send = () => {
    const t = text.trim();
    if (disabled || (!t && task !== "track")) return;
    p.onSend(task, t);
    setText("");
  };
  return (
    <section class="panel chat" aria-labelledby="chat-title">
      <h2 id="chat-title">
        Chat <small>{p.provider ? `${p.provider.name} · ${p.provider.model}` : "no model configured"}</small>
      </h2>
      {!p.provider && (
        <p class="hint">
          Start the server with <code>--provider</code> and <code>--model</code> to ask questions about the
          marks.
        </p>
      )}
      <ol class="messages" aria-live="polite" data-testid="messages">
        {p.messages.map((m, i) => (
          <li key={i} class={`msg ${m.role}`}>
            {m.role === "answer" ? <Answer m={m} current={p.marksKey} onShow={p.onShow} /> : m.text}
          </li>
        ))}
        {p.busy && (
          <li class="msg pending" role="status">
            <span class="spinner" aria-hidden="true" /> waiting for the model…
          </li>
        )}
      </ol>
      <form
        class="ask"
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }}
      >
        <div class="row">
          <label class="inline">
            Task
            <select
              value={task}
              data-testid="task"
              onChange={(e) => setTask((e.currentTarget as HTMLSelectElement).value as TaskName)}
            >
              {TASKS.map((t) => (
                <option key={t.task} value={t.task} disabled={t.task === "track" && !p.canTrack}>
                  {t.label}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" class="primary" disabled={disabled}>
            {task === "ask" ? "Ask" : "Run"}
          </button>
        </div>
        <textarea
          ref={box}
          rows={2}
          value={text}
          placeholder={spec.placeholder}
          aria-label={spec.placeholder}
          data-testid="question"
          disabled={!p.provider}
          onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey) {
              e.preventDefault();
              send();
            }
          }}
        />
      </form>
    </section>
  );
}

function MarkButton({ id, label, onShow }: { id: number; label: string; onShow(ids: number[]): void }) {
  return (
    <button
      type="button"
      class="mention"
      data-mention={id}
      onClick={() => onShow([id])}
      title={`show mark ${id}`}
    >
      {label}
    </button>
  );
}

function Answer({ m, current, onShow }: { m: ChatMessage; current: string; onShow(ids: number[]): void }) {
  const parts: preact.ComponentChildren[] = [];
  let at = 0;
  for (const s of (m.mentions ?? []).filter((x) => x.id !== undefined).sort((a, b) => a.start - b.start)) {
    if (s.start < at) continue;
    parts.push(m.text.slice(at, s.start));
    parts.push(<MarkButton key={s.start} id={s.id!} label={m.text.slice(s.start, s.end)} onShow={onShow} />);
    at = s.end;
  }
  parts.push(m.text.slice(at));
  return (
    <div>
      <p class="answer-text">{parts}</p>
      {m.details?.map((d) => (
        <p key={d.text} class="detail">
          {d.text}{" "}
          {d.ids.map((id) => (
            <MarkButton key={id} id={id} label={String(id)} onShow={onShow} />
          ))}
        </p>
      ))}
      {m.ids && m.ids.length > 0 && (
        <p class="detail">
          <button type="button" class="link" onClick={() => onShow(m.ids!)}>
            show all {m.ids.length}
          </button>
          {m.marksKey !== current && <small> · the marks changed since this answer</small>}
        </p>
      )}
    </div>
  );
}

/** Chat message for a task response. */
export function answerMessage(task: TaskName, r: TaskResponse, marksKey: string): ChatMessage {
  const ids = r.marks ?? r.referenced.map((x) => x.id);
  const details: { text: string; ids: number[] }[] = [];
  if (r.labels)
    for (const l of r.labels)
      details.push({ text: `${l.label} → ${l.category ?? `${l.name} (no match)`}`, ids: [l.id] });
  if (r.phrases) for (const ph of r.phrases) details.push({ text: `${ph.phrase}:`, ids: ph.ids });
  const matches = (r as { matches?: { label: string; mark: number | null; markLabel: string | null }[] })
    .matches;
  if (matches)
    for (const mt of matches)
      details.push({
        text: `object ${mt.label} → ${mt.markLabel ?? "not found"}`,
        ids: mt.mark != null ? [mt.mark] : [],
      });
  if (r.unknown.length > 0) details.push({ text: `named but not marked: ${r.unknown.join(", ")}`, ids: [] });
  return { role: "answer", task, text: r.answer, ids, mentions: r.mentions, details, marksKey };
}
