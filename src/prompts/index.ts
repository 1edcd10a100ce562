export { classifySchema, groundSchema, referSchema, trackSchema } from "./schemas.js";
export {
  DEFAULT_TEMPLATES,
  fillTemplate,
  loadTemplate,
  type PromptTemplate,
  TEMPLATE_VARIABLES,
  type TaskName,
} from "./templates.js";
export { ADE20K } from "./vocab/ade20k.js";
export { COCO_PANOPTIC } from "./vocab/coco-panoptic.js";
export type { Vocabulary, VocabularyEntry } from "./vocab/types.js";
export { loadVocabulary } from "./vocab/vocabulary.js";
