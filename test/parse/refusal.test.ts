import { describe, expect, it } from "vitest";
import { looksLikeRefusal } from "../../src/parse/refusal.js";

describe("looksLikeRefusal", () => {
  const refusals = [
    "I am sorry, I cannot help with that.",
    "I'm sorry, but I can't help with that request.",
    "I’m afraid I can’t do that.",
    "Sorry, I can't assist with identifying people.",
    "I can't determine which object the expression refers to.",
    "I cannot determine that from the image.",
    "I am unable to identify the person in this image.",
    "I'm not able to provide that information.",
    "As an AI, I cannot identify real people.",
    "As an AI language model, I don't have the ability to see images.",
    "Unfortunately, I am unable to process this image.",
    "I apologize, but I can't help with this.",
    "My apologies, I cannot answer that.",
    "It is not possible for me to determine which region is meant.",
    "I must decline to answer.",
    "Answer: I'm sorry, I can't help with that.",
    "**I'm sorry**, I cannot comply.",
    '{"marks": [], "answer": "I\'m sorry, but I can\'t help with that."}',
    "I don't know.",
  ];
  for (const t of refusals) it(`detects: ${t}`, () => expect(looksLikeRefusal(t)).toBe(true));

  const answers = [
    "There is no dog in this image.",
    "I don't see a dog in the image.",
    "I can see a cat at mark 3.",
    "Mark 4 is the laptop; I'm sorry it is small.",
    '{"marks": [2], "answer": "The red car"}',
    "None of the marks shows a bicycle.",
    "Sorry-looking dog at 5.",
    "I cannot see any bicycle in the image.",
  ];
  for (const t of answers) it(`keeps: ${t}`, () => expect(looksLikeRefusal(t)).toBe(false));
});
