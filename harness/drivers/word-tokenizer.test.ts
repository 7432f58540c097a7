import { wordLevelTokenizerJson, wordPrompt, wordTokenIds } from './word-tokenizer';

describe('the harness word-level tokenizer', () => {
  it('gives each vocabulary word its id and anything else [UNK]', () => {
    expect(wordTokenIds('w0 w1  w41\nw4095')).toEqual([1, 2, 42, 4096]);
    expect(wordTokenIds('hello w4096 w01')).toEqual([0, 0, 0]);
  });

  it('writes a tokenizer.json whose vocabulary agrees with wordTokenIds', () => {
    const json = wordLevelTokenizerJson(8) as { model: { type: string; vocab: Record<string, number> } };
    expect(json.model.type).toBe('WordLevel');
    for (const word of wordPrompt(0, 8).split(' ')) expect(json.model.vocab[word]).toBe(wordTokenIds(word, 8)[0]);
    expect(json.model.vocab['[UNK]']).toBe(0);
  });
});
