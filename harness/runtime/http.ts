import axios, { type AxiosInstance, type CreateAxiosDefaults } from 'axios';

/**
 * The project's one HTTP client setup. Every server the harness talks to is its own, on loopback: never through a
 * proxy (a CI machine's HTTP_PROXY would swallow 127.0.0.1), every status is an answer the caller reads and
 * explains (so no throw on 4xx/5xx), bodies stay text unless the caller parses them, and nothing waits forever.
 */
export function httpClient(defaults: CreateAxiosDefaults = {}): AxiosInstance {
  return axios.create({
    proxy: false,
    validateStatus: () => true,
    responseType: 'text',
    transformResponse: (body: string) => body,
    timeout: 10000,
    ...defaults,
  });
}

/** For callers that want JSON bodies parsed (axios's default transform). */
export const JSON_BODIES: CreateAxiosDefaults = {
  responseType: 'json',
  transformResponse: axios.defaults.transformResponse,
};

/** The shared client with the defaults above. */
export const http = httpClient();

/** The same, with JSON bodies parsed: for our own servers' JSON endpoints (mock admin and debug). */
export const httpJson = httpClient(JSON_BODIES);

/** The body of a 200 answer; anything else is an error naming the URL, the status and the body. */
export function ok<T>(res: { status: number; data: T; config: { url?: string } }, what: string): T {
  if (res.status !== 200)
    throw new Error(`${what}: HTTP ${res.status} from ${res.config.url}: ${JSON.stringify(res.data)}`);
  return res.data;
}
