/**
 * A tokenizer the harness owns, so the KV-events scenario knows the exact token ids a real indexer computes
 * for a prompt without any model download (HuggingFace is out of reach here): a HuggingFace `tokenizer.json`
 * with a WordLevel model over the words w0..w{n-1} (ids 1..n; anything else is [UNK] = 0) and whitespace
 * pre-tokenization, no normalizer and no special tokens. The EPP's Rust tokenizers library loads it as it
 * would a model's file, and `wordTokenIds` gives the same ids on this side.
 */
export const WORD_VOCABULARY_SIZE = 4096;
const UNKNOWN = '[UNK]';

export function wordLevelTokenizerJson(size = WORD_VOCABULARY_SIZE): object {
  const vocab: Record<string, number> = { [UNKNOWN]: 0 };
  for (let i = 0; i < size; i++) vocab[`w${i}`] = i + 1;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [],
    normalizer: null,
    pre_tokenizer: { type: 'Whitespace' },
    post_processor: null,
    decoder: null,
    model: { type: 'WordLevel', vocab, unk_token: UNKNOWN },
  };
}

export function wordTokenIds(text: string, size = WORD_VOCABULARY_SIZE): number[] {
  return text
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => {
      const m = /^w(\d+)$/.exec(word);
      const i = m ? Number(m[1]) : -1;
      return i >= 0 && i < size && String(i) === m![1] ? i + 1 : 0;
    });
}

/** `count` consecutive vocabulary words from `first`: a prompt with known, distinct token ids. */
export function wordPrompt(first: number, count: number): string {
  return Array.from({ length: count }, (_, i) => `w${first + i}`).join(' ');
}
