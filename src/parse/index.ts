export { matchCategory, type VocabEntry } from "./category-match.js";
export { cleanName, type MarkNames, parseMarkNames } from "./classify-answer.js";
export { type PhraseMarks, parsePhraseMarks } from "./ground-answer.js";
export { jsonInText } from "./json-in-text.js";
export { type MarkIndex, markIndex, numericMarks } from "./mark-index.js";
export { findMentions, type MarkRefs, type Mention, parseMarkRefs, resolveMentions } from "./mark-refs.js";
export { looksLikeRefusal } from "./refusal.js";
export { type Matches, parseMatches } from "./track-answer.js";
