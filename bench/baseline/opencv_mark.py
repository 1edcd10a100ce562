"""OpenCV (C++ kernels) baseline for bench/mark.ts: the same steps as som's allocation + rendering + PNG
encoding, timed in process with image and masks already decoded. Run by bench/mark.ts with Debian's
python3-opencv; prints one JSON line {"median_ms": ..., "runs": [...]}.

Steps per run (as som does them): regions by ascending area; for each, the part not covered by smaller ones,
its distance transform (cv2.distanceTransform, exact L2) and argmax as anchor; label box placed by a scan of
positions fully inside the region and free of earlier labels (integral images); tint, contours, labels
(cv2.rectangle + cv2.putText); PNG encode (cv2.imencode)."""
import json
import sys
import time

import cv2
import numpy as np


def counts_from_string(s):
    counts, p = [], 0
    while p < len(s):
        x, k, more = 0, 0, True
        while more:
            c = ord(s[p]) - 48
            x |= (c & 0x1F) << (5 * k)
            more = bool(c & 0x20)
            p += 1
            k += 1
            if not more and (c & 0x10):
                x |= -1 << (5 * k)
        if len(counts) > 2:
            x += counts[-2]
        counts.append(x)
    return counts


def decode(seg):
    h, w = seg["size"]
    counts = seg["counts"]
    if isinstance(counts, str):
        counts = counts_from_string(counts)
    flat = np.zeros(h * w, dtype=np.uint8)
    pos, val = 0, 0
    for c in counts:
        if val:
            flat[pos:pos + c] = 1
        pos += c
        val ^= 1
    return flat.reshape((w, h)).T.copy()


def color(i):
    hsv = np.uint8([[[int(((i * 0.618033988749895) % 1) * 180), 216, 242]]])
    return tuple(int(v) for v in cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR)[0, 0])


def draw_labels(out, boxes, font_scale, thickness):
    """Label boxes in the mark colour with black or white text (cv2.rectangle + cv2.putText)."""
    for i, (bx, by, lw, lh) in boxes.items():
        c = color(i + 1)
        cv2.rectangle(out, (bx, by), (bx + lw - 1, by + lh - 1), c, -1)
        lum = 0.299 * c[2] + 0.587 * c[1] + 0.114 * c[0]
        tc = (0, 0, 0) if lum > 140 else (255, 255, 255)
        cv2.putText(out, str(i + 1), (bx + 3, by + lh - 4), cv2.FONT_HERSHEY_SIMPLEX, font_scale, tc, thickness)


def run_once(img, masks, font_scale, thickness):
    H, W = img.shape[:2]
    out = img.copy()
    covered = np.zeros((H, W), np.uint8)
    occupied = np.zeros((H, W), np.uint8)
    order = sorted(range(len(masks)), key=lambda i: masks[i][1])
    boxes = {}
    for i in order:
        m, area, (x, y, w, h) = masks[i]
        crop = m[y:y + h, x:x + w]
        rem = crop & (1 - covered[y:y + h, x:x + w])
        if not rem.any():
            rem = crop
        dt = cv2.distanceTransform(np.pad(rem, 1), cv2.DIST_L2, cv2.DIST_MASK_PRECISE)[1:-1, 1:-1]
        text = str(i + 1)
        (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, font_scale, thickness)
        lw, lh = tw + 6, th + base + 4
        best = None
        if lw <= w and lh <= h:
            sm = cv2.integral(crop)
            so = cv2.integral(occupied[y:y + h, x:x + w])
            fit = sm[lh:, lw:] - sm[:-lh, lw:] - sm[lh:, :-lw] + sm[:-lh, :-lw]
            occ = so[lh:, lw:] - so[:-lh, lw:] - so[lh:, :-lw] + so[:-lh, :-lw]
            ok = (fit == lw * lh) & (occ == 0)
            if ok.any():
                score = np.where(ok, dt[lh // 2:lh // 2 + ok.shape[0], lw // 2:lw // 2 + ok.shape[1]], -1)
                ty, tx = np.unravel_index(np.argmax(score), score.shape)
                best = (x + tx, y + ty)
        if best is None:
            ay, ax = np.unravel_index(np.argmax(dt), dt.shape)
            best = (min(max(0, x + ax - lw // 2), W - lw), min(max(0, y + ay - lh // 2), H - lh))
        boxes[i] = (best[0], best[1], lw, lh)
        occupied[best[1]:best[1] + lh, best[0]:best[0] + lw] = 1
        covered[y:y + h, x:x + w] |= crop
    for i in sorted(range(len(masks)), key=lambda i: -masks[i][1]):
        m, area, (x, y, w, h) = masks[i]
        c = color(i + 1)
        crop = m[y:y + h, x:x + w].astype(bool)
        region = out[y:y + h, x:x + w]
        region[crop] = (region[crop] * 0.7 + np.array(c) * 0.3).astype(np.uint8)
        contours, _ = cv2.findContours(m[y:y + h, x:x + w], cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE, offset=(x, y))
        cv2.drawContours(out, contours, -1, c, thickness)
    draw_labels(out, boxes, font_scale, thickness)
    ok, png = cv2.imencode(".png", out, [cv2.IMWRITE_PNG_COMPRESSION, 6])
    return len(png)


def load(image_path, masks_path):
    """Image (BGR), masks as (full-size mask, area, bbox) for non-empty ones, label font scale, line width."""
    img = cv2.imread(image_path, cv2.IMREAD_COLOR)
    H, W = img.shape[:2]
    masks = []
    for a in json.load(open(masks_path)):
        m = decode(a["segmentation"])
        if m.shape != (H, W):
            raise SystemExit(f"mask size {m.shape} != image {(H, W)}")
        ys, xs = np.nonzero(m)
        if len(xs) == 0:
            continue
        x, y = int(xs.min()), int(ys.min())
        masks.append((m, int(len(xs)), (x, y, int(xs.max()) - x + 1, int(ys.max()) - y + 1)))
    font_scale = max(11, round(0.03 * min(W, H))) / 30
    thickness = max(1, round(min(W, H) / 400))
    return img, masks, font_scale, thickness


def report(run, runs, masks):
    """Time `run()` `runs` times after one warm-up run; print the JSON line bench/mark.ts reads."""
    run()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        run()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    print(json.dumps({"median_ms": times[len(times) // 2], "runs": times, "masks": masks}))


def main():
    image_path, masks_path, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    img, masks, font_scale, thickness = load(image_path, masks_path)
    report(lambda: run_once(img, masks, font_scale, thickness), runs, len(masks))


if __name__ == "__main__":
    main()
