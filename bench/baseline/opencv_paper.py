"""Plain OpenCV implementation of the paper's mark allocation (Algorithm 1) + rendering + PNG encoding: the
baseline bench/mark.ts measures `som` against (bench/baseline/opencv_mark.py, which also searches label
positions free of earlier labels with integral images, is kept as a second reference).

Timed in process with image and masks already decoded (each mask kept as its bounding-box crop, as an
efficient implementation would). Steps per run: regions by ascending area; for each, the part not covered by
smaller ones (whole mask when nothing is left), its distance transform (cv2.distanceTransform, exact L2) and
argmax as the label centre, the label box clamped to the image (no collision search: labels may overlap);
tint (cv2.addWeighted on the crop, cv2.copyTo through the mask), contours (cv2.findContours/drawContours), labels
(cv2.rectangle + cv2.putText); PNG encode with OpenCV's defaults (cv2.imencode: zlib level 1, SUB filter, RLE
strategy). Prints one JSON line {"median_ms": ..., "runs": [...], "masks": n}.

  /usr/bin/python3 bench/baseline/opencv_paper.py IMAGE MASKS.json RUNS"""
import sys

import cv2
import numpy as np

from opencv_mark import color, draw_labels, load, report


def run_once(img, masks, font_scale, thickness):
    H, W = img.shape[:2]
    out = img.copy()
    covered = np.zeros((H, W), np.uint8)
    boxes = {}
    for i in sorted(range(len(masks)), key=lambda i: masks[i][1]):
        crop, area, (x, y, w, h) = masks[i]
        cov = covered[y:y + h, x:x + w]
        rem = cv2.bitwise_and(crop, cv2.bitwise_not(cov) & 1)
        if not cv2.countNonZero(rem):
            rem = crop
        dt = cv2.distanceTransform(cv2.copyMakeBorder(rem, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0),
                                   cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
        _, _, _, (ax, ay) = cv2.minMaxLoc(dt)
        text = str(i + 1)
        (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, font_scale, thickness)
        lw, lh = tw + 6, th + base + 4
        bx = min(max(0, x + ax - 1 - lw // 2), W - lw)
        by = min(max(0, y + ay - 1 - lh // 2), H - lh)
        boxes[i] = (bx, by, lw, lh)
        cv2.bitwise_or(cov, crop, dst=cov)
    for i in sorted(range(len(masks)), key=lambda i: -masks[i][1]):
        crop, area, (x, y, w, h) = masks[i]
        c = color(i + 1)
        roi = out[y:y + h, x:x + w]
        tint = cv2.addWeighted(roi, 0.7, np.full_like(roi, c), 0.3, 0)
        cv2.copyTo(tint, crop, roi)  # writes through the view
        contours, _ = cv2.findContours(crop, cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE, offset=(x, y))
        cv2.drawContours(out, contours, -1, c, thickness)
    draw_labels(out, boxes, font_scale, thickness)
    ok, png = cv2.imencode(".png", out)
    return len(png)


def main():
    image_path, masks_path, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    img, full, font_scale, thickness = load(image_path, masks_path)
    masks = [(np.ascontiguousarray(m[y:y + h, x:x + w]), area, (x, y, w, h)) for m, area, (x, y, w, h) in full]
    del full
    report(lambda: run_once(img, masks, font_scale, thickness), runs, len(masks))


if __name__ == "__main__":
    main()
