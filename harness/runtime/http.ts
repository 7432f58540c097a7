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
