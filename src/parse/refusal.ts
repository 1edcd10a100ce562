/** Plain-text refusals ("I'm sorry, but I can't help with that"), which APIs do not flag. */
const REFUSAL =
  /^\s*(?:i['’]m\s+(?:sorry|afraid)|sorry|i\s+(?:can(?:not|['’]t)|am\s+(?:unable|not\s+able))|unfortunately,?\s+i\s+(?:can(?:not|['’]t)|am\s+unable))\b[^.]{0,120}\b(?:help|assist|provide|identify|comply|do\s+that|answer|fulfil|fulfill|process)/i;

export function looksLikeRefusal(text: string): boolean {
  return text.length < 600 && REFUSAL.test(text);
}
