import { httpJson, ok } from '../runtime/http';
import type { Endpoints } from '../topology/types';

/** Turns fault switches on (or all off with []) on every mock vLLM of a running topology. */
export async function setMockFaults(e: Endpoints, faults: string[] | ((model: string) => string[])): Promise<void> {
  await Promise.all(
    e.models.map(async (m) => {
      const wanted = typeof faults === 'function' ? faults(m.name) : faults;
      ok(
        await httpJson.post(`${m.url}/admin/faults`, { faults: wanted }),
        `${m.name} refused faults ${wanted.join(',')}`,
      );
    }),
  );
}

/** The fault switches each mock has on now, by endpoint name. */
export async function mockFaults(e: Endpoints): Promise<Map<string, string[]>> {
  const entries = await Promise.all(
    e.models.map(async (m) => {
      const res = await httpJson.get<{ faults: string[] }>(`${m.url}/admin/faults`);
      return [m.name, ok(res, `${m.name}'s faults`).faults] as const;
    }),
  );
  return new Map(entries);
}

export interface MockRequest {
  path: string;
  headers: Record<string, string | string[] | undefined>;
}

/** What a mock vLLM received (newest last), to check which headers reached the model server. */
export async function mockRequests(url: string): Promise<MockRequest[]> {
  return ok(await httpJson.get<MockRequest[]>(`${url}/debug/requests`), 'mock vLLM requests');
}

/**
 * A negative control: runs `check` with the given mock faults switched on and returns the error it failed with.
 * A check that passes anyway is the failure here, since it could never catch that fault. Whatever happens, the
 * mocks get back the switches they had before (the run's own --fault ones, on a topology other files share).
 */
export async function failureUnderMockFaults(
  e: Endpoints,
  faults: string[],
  check: () => Promise<void>,
): Promise<Error> {
  const before = await mockFaults(e);
  await setMockFaults(e, faults);
  try {
    await check();
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  } finally {
    await setMockFaults(e, (model) => before.get(model) ?? []);
  }
  throw new Error(
    `negative control: the check passed with mock faults [${faults.join(', ')}] on, so it cannot catch them`,
  );
}
