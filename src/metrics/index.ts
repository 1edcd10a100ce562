// `som/metrics`: the official scorers behind `som metrics` (COCO panoptic PQ, DAVIS J&F, RefCOCO mIoU /
// cIoU, REC and Flickr30K Entities box accuracy), as functions over files or over arrays.
export { boundaryF, jaccard } from "./davis-frame.js";
export { type DbStatistics, dbStatistics } from "./davis-stats.js";
export { type DavisOptions, type DavisReport, type DavisScores, evaluateDavis } from "./davis.js";
export { type FlickrOptions, type FlickrReport, evaluateFlickr, flickrScores, xyxyIoU } from "./flickr.js";
export { formatDavis, formatFlickr, formatPanoptic, formatRec, formatRefer } from "./format.js";
export { evaluatePanoptic, type PanopticOptions, type PanopticReport } from "./panoptic.js";
export { evaluateRec, type RecEntry, type RecReport, recScores, xywhIoU } from "./rec.js";
export {
  evaluateRefer,
  maskOverlap,
  REFER_THRESHOLDS,
  type ReferOptions,
  type ReferReport,
  type ReferSample,
  referScores,
} from "./refer.js";
