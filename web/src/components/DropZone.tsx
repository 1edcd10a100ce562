import { useEffect, useRef, useState } from "preact/hooks";

const ACCEPT = "image/png,image/jpeg,image/webp,image/gif,image/tiff,image/avif";

/** Images dropped anywhere on the page or pasted (Ctrl+V) open like picked ones. Use once, in the app. */
export function useDropAndPaste(onImage: (file: Blob, name: string) => void): void {
  useEffect(() => {
    const onPaste = (e: ClipboardEvent) => {
      const item = [...(e.clipboardData?.items ?? [])].find(
        (i) => i.kind === "file" && i.type.startsWith("image/"),
      );
      const file = item?.getAsFile();
      if (file) {
        e.preventDefault();
        onImage(file, file.name || "pasted.png");
      }
    };
    const onDragOver = (e: DragEvent) => e.preventDefault();
    const onDrop = (e: DragEvent) => {
      e.preventDefault();
      const files = [...(e.dataTransfer?.files ?? [])];
      const file = files.find((f) => f.type.startsWith("image/")) ?? files[0];
      if (file) onImage(file, file.name);
    };
    document.addEventListener("paste", onPaste);
    window.addEventListener("dragover", onDragOver);
    window.addEventListener("drop", onDrop);
    return () => {
      document.removeEventListener("paste", onPaste);
      window.removeEventListener("dragover", onDragOver);
      window.removeEventListener("drop", onDrop);
    };
  }, [onImage]);
}

interface Props {
  onImage(file: Blob, name: string): void;
  /** A header button instead of the big drop area. */
  compact?: boolean;
}

/** Pick an image: a button (compact) or the big drop area shown before any image is open. */
export function DropZone({ onImage, compact }: Props) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const picker = (
    <input
      ref={input}
      type="file"
      accept={ACCEPT}
      aria-label="Image file"
      class="visually-hidden"
      tabIndex={-1}
      data-testid={compact ? "file-input" : "file-input-main"}
      onChange={(e) => {
        const f = (e.currentTarget as HTMLInputElement).files?.[0];
        if (f) onImage(f, f.name);
        (e.currentTarget as HTMLInputElement).value = "";
      }}
    />
  );
  if (compact) {
    return (
      <>
        {picker}
        <button type="button" onClick={() => input.current?.click()}>
          Open image…
        </button>
      </>
    );
  }
  return (
    <section
      class={over ? "drop over" : "drop"}
      aria-label="Open an image"
      onDragEnter={() => setOver(true)}
      onDragLeave={() => setOver(false)}
      onDrop={() => setOver(false)}
    >
      {picker}
      <p class="big">Drop an image here</p>
      <p>
        or{" "}
        <button type="button" class="link" onClick={() => input.current?.click()}>
          choose a file
        </button>
        , or paste one (Ctrl+V)
      </p>
      <p class="hint">It is marked at once: every region gets a number you can talk about.</p>
    </section>
  );
}
