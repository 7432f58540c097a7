/** OpenAI-shaped bodies for the mock's answers; text is deterministic so tests can compare it. */

const WORDS = ['the', 'endpoint', 'picker', 'chose', 'this', 'server', 'for', 'you'];

export function completionTokens(maxTokens: number | undefined): string[] {
  const n = Math.max(1, Math.min(maxTokens ?? 16, 256));
  return Array.from({ length: n }, (_, i) => WORDS[i % WORDS.length]);
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export function usage(prompt: number, completion: number): Usage {
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

export function completionBody(
  id: string,
  model: string,
  chat: boolean,
  text: string,
  u: Usage,
): Record<string, unknown> {
  const created = Math.floor(Date.now() / 1000);
  const choice = chat
    ? { index: 0, message: { role: 'assistant', content: text }, finish_reason: 'length' }
    : { index: 0, text, logprobs: null, finish_reason: 'length' };
  return { id, object: chat ? 'chat.completion' : 'text_completion', created, model, choices: [choice], usage: u };
}

/** One streaming chunk; the last content chunk carries finish_reason. */
export function streamChunk(
  id: string,
  model: string,
  chat: boolean,
  piece: string,
  last: boolean,
): Record<string, unknown> {
  const created = Math.floor(Date.now() / 1000);
  const finish_reason = last ? 'length' : null;
  const choice = chat
    ? { index: 0, delta: { content: piece }, finish_reason }
    : { index: 0, text: piece, finish_reason };
  return { id, object: chat ? 'chat.completion.chunk' : 'text_completion', created, model, choices: [choice] };
}

export function usageChunk(id: string, model: string, chat: boolean, u: Usage): Record<string, unknown> {
  return {
    id,
    object: chat ? 'chat.completion.chunk' : 'text_completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [],
    usage: u,
  };
}

export function errorBody(message: string, type: string, code: number): Record<string, unknown> {
  return { object: 'error', message, type, param: null, code };
}
