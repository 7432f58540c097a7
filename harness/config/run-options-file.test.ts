import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadVersions } from '../tools/versions';
import { OPTIONS_FILE_ENV, readRunOptions, scenarioOptions, toRawOptions, writeRunOptions } from './run-options-file';
import { resolveRunOptions, type RunOptions } from './run-options';

const versions = loadVersions();
const otherEpp = Object.keys(versions.epp.versions).find((n) => n !== versions.epp.default) ?? versions.epp.default;

/** Every option away from its default, so a field that toRawOptions forgets shows up as a difference. */
const NON_DEFAULT: RunOptions = resolveRunOptions(
  {
    topology: 'local',
    models: '4',
    eppVersion: otherEpp,
    eppSampler: 'parentbased_always_on',
    eppSamplerArg: '0.3',
    eppServiceName: 'my-epp',
    eppResourceAttributes: 'component=endpoint-picker,team=x',
    eppOtlpEndpoint: 'http://127.0.0.1:1',
    modelName: 'other-model',
    faults: ['mock-vllm:http-500'],
    runsRoot: '/tmp/runs',
    kvEventsEpp: true,
    clusterName: 'c1',
    reuseCluster: true,
    keepCluster: true,
    operatorVersion: 'v0.143.0',
    goTargetExe: false,
  },
  {},
);

/** A run of an EPP binary someone built (any existing file will do: it is identified, not run). */
const BINARY_RUN: RunOptions = resolveRunOptions(
  { eppBinary: process.execPath, eppContract: 'llm-d-router-v0.10.0', eppPlugins: 'pd' },
  {},
);

describe('the run options file', () => {
  it('keeps every option: resolving the raw form again gives the same options', () => {
    expect(resolveRunOptions(toRawOptions(NON_DEFAULT), {})).toEqual(NON_DEFAULT);
  });

  it('keeps an EPP binary, its contract and where that came from, without identifying it again', () => {
    expect(BINARY_RUN).toMatchObject({
      eppBinary: process.execPath,
      eppVersion: 'llm-d-router-v0.10.0',
      eppPlugins: 'pd',
    });
    const identify = jest.fn();
    expect(resolveRunOptions(toRawOptions(BINARY_RUN), {}, versions, identify)).toEqual(BINARY_RUN);
    expect(identify).not.toHaveBeenCalled();
  });

  it('runs another pinned EPP, not the run binary, for a file that asks for one', () => {
    const file = writeRunOptions(mkdtempSync(join(tmpdir(), 'opts-')), BINARY_RUN);
    const o = scenarioOptions({ eppVersion: 'gie-v1.4.0' }, { [OPTIONS_FILE_ENV]: file });
    expect(o.eppVersion).toBe('gie-v1.4.0');
    expect(o.eppBinary).toBeUndefined();
    expect(o.eppPlugins).toBeUndefined();
    // Asking for the run's own EPP keeps its binary.
    expect(scenarioOptions({ eppVersion: 'llm-d-router-v0.10.0' }, { [OPTIONS_FILE_ENV]: file })).toEqual(BINARY_RUN);
  });

  it('is what scenario files read, with their overrides on top; the environment is not read again', () => {
    const file = writeRunOptions(mkdtempSync(join(tmpdir(), 'opts-')), NON_DEFAULT);
    const env = { [OPTIONS_FILE_ENV]: file, EPP_E2E_MODELS: '7', EPP_E2E_EPP_SAMPLER_ARG: '0.9' };
    expect(readRunOptions(env)).toEqual(NON_DEFAULT);
    expect(scenarioOptions({}, env)).toEqual(NON_DEFAULT);
    const o = scenarioOptions({ eppSamplerArg: '0.5', models: 1 }, env);
    expect(o).toEqual({ ...NON_DEFAULT, eppSamplerArg: '0.5', models: 1 });
  });

  it('validates a file override like a flag', () => {
    const file = writeRunOptions(mkdtempSync(join(tmpdir(), 'opts-')), NON_DEFAULT);
    expect(() => scenarioOptions({ eppSamplerArg: '2' }, { [OPTIONS_FILE_ENV]: file })).toThrow(
      '--epp-sampler-arg must be a ratio between 0 and 1, got "2"',
    );
  });

  it('outside a run resolves the environment, as the CLI would', () => {
    expect(scenarioOptions({}, { EPP_E2E_MODELS: '3' }).models).toBe(3);
  });

  it('says which file is missing', () => {
    expect(() => readRunOptions({ [OPTIONS_FILE_ENV]: '/nonexistent/options.json' })).toThrow(
      'EPP_E2E_OPTIONS_FILE names /nonexistent/options.json, which does not exist',
    );
  });
});
