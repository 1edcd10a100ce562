import { useCallback, useEffect, useMemo, useState } from "preact/hooks";
import { ApiError, getJson, getToken, postJson, setToken } from "./api";
import { Chat, type ChatMessage, type TaskName, answerMessage } from "./components/Chat";
import { Controls } from "./components/Controls";
import { DropZone, useDropAndPaste } from "./components/DropZone";
import { MarkList } from "./components/MarkList";
import { Viewer } from "./components/Viewer";
import { saveBlob, saveDataUrl, saveManifest, selectedManifest, selectionPng } from "./downloads";
import { runsOf } from "./overlay";
import type {
  HealthResponse,
  ManifestMark,
  MarkOptions,
  ModelsResponse,
  RegionRef,
  SegmentResponse,
  TaskResponse,
} from "./types";
import { type LoadedImage, useMarking } from "./use-marking";

const DEFAULT_OPTIONS: MarkOptions = {
  granularity: 0.5,
  marks: ["number", "mask", "contour"],
  labels: "numeric",
  alpha: 0.3,
  include: [],
  exclude: [],
};

/** A mark's identity across re-renders (ids are renumbered when the marks change). */
const keyOf = (m: ManifestMark) =>
  m.node !== undefined && !m.added ? `n${m.node}` : `s${m.segmentation.counts}`;

/** The previous image and its selected marks: the objects a "track" request looks for in the current one. */
interface TrackSource {
  imageId: string;
  name: string;
  objects: ManifestMark["segmentation"][];
}

export function App() {
  const [models, setModels] = useState<ModelsResponse | null>(null);
  const [needToken, setNeedToken] = useState(false);
  // The Token button shows only on servers started with a token (GET /healthz says so; a 401 proves it).
  const [tokenRequired, setTokenRequired] = useState(false);
  const [image, setImage] = useState<LoadedImage | null>(null);
  const [options, setOptions] = useState<MarkOptions>(DEFAULT_OPTIONS);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [highlighted, setHighlighted] = useState<Set<number>>(new Set());
  const [addMode, setAddMode] = useState(false);
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [chatBusy, setChatBusy] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  const [segmenting, setSegmenting] = useState(false);
  const [trackSource, setTrackSource] = useState<TrackSource | null>(null);

  const askForToken = useCallback(() => {
    setTokenRequired(true);
    setNeedToken(true);
  }, []);
  const onUnauthorized = askForToken;
  const marking = useMarking(image, options, onUnauthorized);
  const result = marking.result;
  const manifest = result?.manifest ?? null;
  const runs = useMemo(() => (manifest ? runsOf(manifest.marks) : new Map()), [manifest]);
  const marksKey = useMemo(() => manifest?.marks.map(keyOf).join("|") ?? "", [manifest]);

  useEffect(() => {
    getJson<HealthResponse>("/healthz")
      .then((h) => setTokenRequired((t) => t || h.tokenRequired === true))
      .catch(() => {});
  }, []);

  useEffect(() => {
    getJson<ModelsResponse>("/v1/models")
      .then(setModels)
      .catch((e) => {
        if (e instanceof ApiError && e.status === 401) askForToken();
      });
  }, [needToken, askForToken]);

  // New marks: keep selection and highlights on the same regions (their ids may have changed).
  const [prevMarks, setPrevMarks] = useState<ManifestMark[]>([]);
  useEffect(() => {
    if (!manifest) return;
    const remap = (ids: Set<number>) => {
      const keys = new Set(prevMarks.filter((m) => ids.has(m.id)).map(keyOf));
      return new Set(manifest.marks.filter((m) => keys.has(keyOf(m))).map((m) => m.id));
    };
    setSelected((s) => remap(s));
    setHighlighted((h) => remap(h));
    setPrevMarks(manifest.marks);
  }, [manifest]);

  const openImage = useCallback(
    (blob: Blob, name: string) => {
      if (image?.imageId && manifest && selected.size > 0) {
        setTrackSource({
          imageId: image.imageId,
          name: image.name,
          objects: manifest.marks.filter((m) => selected.has(m.id)).map((m) => m.segmentation),
        });
      }
      setImage({ blob, name });
      setOptions((o) => ({ ...o, include: [], exclude: [] }));
      setSelected(new Set());
      setHighlighted(new Set());
      setMessages([]);
      setActionError(null);
    },
    [image, manifest, selected],
  );

  useDropAndPaste(openImage);

  const change = useCallback((next: Partial<MarkOptions>) => setOptions((o) => ({ ...o, ...next })), []);
  const toggle = useCallback((id: number) => {
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  }, []);

  const addRegion = useCallback(
    async (prompt: { points?: { x: number; y: number }[]; scribbles?: [number, number][][] }) => {
      if (!image?.imageId || segmenting) return;
      setSegmenting(true);
      setActionError(null);
      try {
        const r = await postJson<SegmentResponse>("/v1/segment", {
          imageId: image.imageId,
          granularity: options.granularity,
          ...prompt,
        });
        const refs: RegionRef[] = r.regions
          .filter((x) => x.area > 0)
          .map((x) => ({ segmentation: x.segmentation }));
        if (refs.length === 0) setActionError("no region found there");
        else setOptions((o) => ({ ...o, include: [...o.include, ...refs] }));
      } catch (e) {
        setActionError((e as Error).message);
      } finally {
        setSegmenting(false);
      }
    },
    [image, options.granularity, segmenting],
  );

  const removeSelected = useCallback(() => {
    if (!manifest) return;
    const gone = manifest.marks.filter((m) => selected.has(m.id));
    const addedCounts = new Set(gone.filter((m) => m.added).map((m) => m.segmentation.counts));
    const exclude: RegionRef[] = gone
      .filter((m) => !m.added)
      .map((m) => (m.node !== undefined ? { node: m.node } : { segmentation: m.segmentation }));
    setOptions((o) => ({
      ...o,
      include: o.include.filter((r) => !("segmentation" in r && addedCounts.has(r.segmentation.counts))),
      exclude: [...o.exclude, ...exclude],
    }));
    setSelected(new Set());
  }, [manifest, selected]);

  const send = useCallback(
    async (task: TaskName, text: string) => {
      if (!image?.imageId || !manifest) return;
      setMessages((m) => [
        ...m,
        {
          role: "user",
          task,
          text:
            task === "track"
              ? `Track the ${trackSource?.objects.length} marks selected in ${trackSource?.name}`
              : text,
        },
      ]);
      setChatBusy(true);
      const base = { imageId: image.imageId, options };
      let path = "/v1/ask";
      let body: Record<string, unknown> = { ...base, question: text };
      if (task === "refer") {
        path = "/v1/tasks/refer";
        body = { ...base, expression: text };
      } else if (task === "ground") {
        const [sentence, list] = text.split("|");
        const phrases = (list ?? sentence)
          .split(/[;,]/)
          .map((s) => s.trim())
          .filter(Boolean);
        path = "/v1/tasks/ground";
        body = { ...base, sentence: sentence.trim(), phrases };
      } else if (task === "classify") {
        const t = text.trim().toLowerCase();
        path = "/v1/tasks/classify";
        body = {
          ...base,
          vocabulary:
            t === "coco" || t === "ade20k"
              ? t
              : text
                  .split(",")
                  .map((s) => s.trim())
                  .filter(Boolean),
        };
      } else if (task === "track" && trackSource) {
        path = "/v1/tasks/track";
        body = { ...base, frame1Id: trackSource.imageId, objects: trackSource.objects };
      }
      try {
        const r = await postJson<TaskResponse>(path, body);
        const msg = answerMessage(task, r, marksKey);
        setMessages((m) => [...m, msg]);
        setHighlighted(new Set(msg.ids));
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) askForToken();
        setMessages((m) => [...m, { role: "error", task, text: (e as Error).message }]);
      } finally {
        setChatBusy(false);
      }
    },
    [image, manifest, options, marksKey, trackSource, askForToken],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const typing = (e.target as HTMLElement)?.closest?.("input, textarea, select");
      if (e.key === "Escape") {
        setSelected(new Set());
        setHighlighted(new Set());
        setAddMode(false);
      } else if ((e.key === "Delete" || e.key === "Backspace") && !typing && selected.size > 0) {
        e.preventDefault();
        removeSelected();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [selected, removeSelected]);

  const stem = (image?.name ?? "image").replace(/\.[^.]+$/, "");
  const error = marking.error?.message ?? actionError;
  const edits = options.include.length + options.exclude.length;

  return (
    <div class="app">
      <header>
        <h1>
          som <span>Set-of-Mark</span>
        </h1>
        <div class="row">
          {image && (
            <span class="file" title={image.name}>
              {image.name}
            </span>
          )}
          <DropZone onImage={openImage} compact />
          {tokenRequired && (
            <button type="button" onClick={() => setNeedToken(true)} title="API token of this server">
              Token
            </button>
          )}
        </div>
      </header>
      {needToken && <TokenDialog onDone={() => setNeedToken(false)} />}
      {error && (
        <div class="alert" role="alert">
          <span>{error}</span>
          <span class="row">
            {marking.error && retryable(marking.error) && (
              <button type="button" onClick={marking.retry}>
                Retry
              </button>
            )}
            <button
              type="button"
              aria-label="Dismiss"
              onClick={() => {
                marking.clearError();
                setActionError(null);
              }}
            >
              ✕
            </button>
          </span>
        </div>
      )}
      <main>
        <div class="left">
          {!image && <DropZone onImage={openImage} />}
          {image && !result && (
            <div class="placeholder" role="status">
              {marking.busy ? (
                <>
                  <span class="spinner" aria-hidden="true" /> {marking.busy}
                </>
              ) : (
                "Could not mark this image. Open another one (drop, paste or Open image…)."
              )}
            </div>
          )}
          {result && manifest && (
            <Viewer
              manifest={manifest}
              markedImage={result.markedImage}
              runs={runs}
              selected={selected}
              highlighted={highlighted}
              addMode={addMode}
              busy={marking.busy ?? (segmenting ? "Adding region…" : null)}
              onToggle={toggle}
              onAddPoint={(x, y) => void addRegion({ points: [{ x: Math.round(x), y: Math.round(y) }] })}
              onAddStroke={(pts) => void addRegion({ scribbles: [pts] })}
            />
          )}
        </div>
        <aside>
          <Controls
            options={options}
            samAvailable={models?.proposers.some((p) => p.name === "sam") ?? false}
            markCount={manifest?.marks.length ?? null}
            lastMs={marking.lastMs}
            onChange={change}
          />
          {manifest && (
            <MarkList
              marks={manifest.marks}
              selected={selected}
              highlighted={highlighted}
              addMode={addMode}
              edits={edits}
              onToggle={toggle}
              onRemoveSelected={removeSelected}
              onClearSelection={() => setSelected(new Set())}
              onResetEdits={() => change({ include: [], exclude: [] })}
              onAddMode={setAddMode}
            />
          )}
          {manifest && (
            <Chat
              messages={messages}
              provider={models?.provider ?? null}
              busy={chatBusy}
              canTrack={trackSource !== null}
              marksKey={marksKey}
              onSend={(t, q) => void send(t, q)}
              onShow={(ids) => setHighlighted(new Set(ids))}
            />
          )}
          {result && manifest && (
            <section class="panel" aria-labelledby="dl-title">
              <h2 id="dl-title">Download</h2>
              <div class="row wrap">
                <button type="button" onClick={() => saveDataUrl(result.markedImage, `${stem}.som.png`)}>
                  Marked PNG
                </button>
                <button type="button" onClick={() => saveManifest(manifest, `${stem}.som.json`)}>
                  Manifest
                </button>
                <button
                  type="button"
                  disabled={selected.size === 0}
                  onClick={() => saveManifest(selectedManifest(manifest, selected), `${stem}.selected.json`)}
                >
                  Selected masks (RLE)
                </button>
                <button
                  type="button"
                  disabled={selected.size === 0}
                  onClick={async () =>
                    saveBlob(await selectionPng(manifest, runs, selected), `${stem}.selected.png`)
                  }
                >
                  Selection PNG
                </button>
              </div>
            </section>
          )}
        </aside>
      </main>
    </div>
  );
}

/** Worth retrying as it is: the server was unreachable, busy or failed; not a refusal of this input. */
function retryable(e: ApiError): boolean {
  return e.status === 0 || e.status === 429 || e.status >= 500;
}

function TokenDialog({ onDone }: { onDone(): void }) {
  const [value, setValue] = useState(getToken());
  return (
    <div
      class="dialog-backdrop"
      role="dialog"
      aria-modal="true"
      aria-labelledby="token-title"
      onKeyDown={(e) => {
        if (e.key === "Escape") onDone();
      }}
    >
      <form
        class="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          setToken(value.trim());
          onDone();
        }}
      >
        <h2 id="token-title">API token</h2>
        <p>This server was started with a token. Enter it to use the API; it is kept for this tab only.</p>
        <input
          type="password"
          value={value}
          ref={(el) => el?.focus()}
          aria-label="API token"
          onInput={(e) => setValue((e.currentTarget as HTMLInputElement).value)}
        />
        <div class="row">
          <button type="submit" class="primary">
            Save
          </button>
          <button type="button" onClick={onDone}>
            Cancel
          </button>
        </div>
      </form>
    </div>
  );
}
