import { loadVersions } from '../../tools/versions';
import { kvEventsEppKey } from '../../tools/tools';
import { kvEventsContractFor, kvTopicEndpoint } from './kv-events';

describe('KV-events contracts', () => {
  it('the pinned KV-events EPP has one: endpoints by bare IP, 6-field BlockStored, vLLM sha256_cbor keys', () => {
    const c = kvEventsContractFor(kvEventsEppKey(loadVersions()));
    expect(c).toMatchObject({ topicEndpoint: 'ip', layout: 'without-lora-name', hashing: 'sha256-cbor' });
    expect(kvTopicEndpoint(c, '127.0.0.3:8000')).toBe('127.0.0.3');
  });

  it('llm-d-router names the endpoint by address and port', () => {
    expect(kvTopicEndpoint(kvEventsContractFor('llm-d-router-v0.10.0'), '127.0.0.3:8000')).toBe('127.0.0.3:8000');
  });

  it('an EPP without one is an error that lists the known ones', () => {
    expect(() => kvEventsContractFor('gie-v1.5.0')).toThrow(
      /^no KV-events contract for EPP gie-v1\.5\.0; known: llm-d-inference-scheduler-v0\.4\.0, /,
    );
  });
});
