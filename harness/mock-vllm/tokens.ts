/**
 * Token ids the way the EPP's default "estimate" token producer derives them, so KV events published for a
 * prompt match the keys the EPP computes for the same prompt: token-id prompts pass through, text is packed
 * as UTF-8 bytes, zero-padded to a multiple of 4, each 4 bytes read as a little-endian uint32.
 */
export function packBytes(text: string): number[] {
  const bytes = Buffer.from(text, 'utf8');
  const padded = Buffer.alloc(Math.ceil(bytes.length / 4) * 4);
  bytes.copy(padded);
  const out: number[] = [];
  for (let i = 0; i < padded.length; i += 4) out.push(padded.readUInt32LE(i));
  return out;
}

export type Prompt = string | string[] | number[] | number[][];

export function completionTokenIds(prompt: Prompt): number[] {
  if (typeof prompt === 'string') return packBytes(prompt);
  if (prompt.length === 0) return [];
  if (typeof prompt[0] === 'number') return prompt as number[];
  if (typeof prompt[0] === 'string') return (prompt as string[]).flatMap(packBytes);
  return (prompt as number[][]).flat();
}

/** Chat: each message's role bytes then its content bytes, concatenated, then packed. */
export function chatTokenIds(messages: { role: string; content: unknown }[]): number[] {
  const text = messages
    .map((m) => {
      const content = Array.isArray(m.content)
        ? m.content.map((p: { text?: string }) => p.text ?? '').join('')
        : String(m.content ?? '');
      return `${m.role}${content}`;
    })
    .join('');
  return packBytes(text);
}

/** Full blocks only: a partial tail block is never stored by vLLM. */
export function fullBlocks(tokens: number[], blockSize: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i + blockSize <= tokens.length; i += blockSize) out.push(tokens.slice(i, i + blockSize));
  return out;
}
