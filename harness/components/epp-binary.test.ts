import { loadVersions } from '../tools/versions';
import { identifyBuild, parseBuildInfo } from './epp-binary';

const versions = loadVersions();

/** `go version -m` of llm-d-router v0.10.0 built from a git archive of the tag (fixtures/traces/README.md). */
const LLMD_V0100 = [
  '/x/epp: go1.26.8',
  '\tpath\tgithub.com/llm-d/llm-d-router/cmd/epp',
  '\tmod\tgithub.com/llm-d/llm-d-router\t(devel)\t',
  '\tdep\tsigs.k8s.io/gateway-api-inference-extension\tv1.5.0\th1:w9Awt60cmI1vM7Y6N81h8wDCBP0WkmxpdI7GKY0v070=',
  '\tbuild\t-buildmode=exe',
  '\tbuild\t-ldflags="-X github.com/llm-d/llm-d-router/version.CommitSHA=71f4f0999f95b96c49a9d0c4afbd18dfdb943c26 -X github.com/llm-d/llm-d-router/version.BuildRef=v0.10.0"',
  '\tbuild\tCGO_ENABLED=0',
].join('\n');

/** The GIE EPP as `go build` of its own module makes it (module version stamped). */
const GIE_V150 = [
  '/x/epp: go1.26.8',
  '\tpath\tsigs.k8s.io/gateway-api-inference-extension/cmd/epp',
  '\tmod\tsigs.k8s.io/gateway-api-inference-extension\tv1.5.0\th1:w9Awt60cmI1vM7Y6N81h8wDCBP0WkmxpdI7GKY0v070=',
].join('\n');

describe('what an EPP binary is, from go version -m', () => {
  it('reads a (devel) build by the BuildRef its ldflags set', () => {
    expect(parseBuildInfo(LLMD_V0100)).toEqual({
      module: 'github.com/llm-d/llm-d-router',
      version: '(devel)',
      buildRef: 'v0.10.0',
    });
    expect(identifyBuild(LLMD_V0100, versions)).toEqual({
      eppVersion: 'llm-d-router-v0.10.0',
      detail: 'github.com/llm-d/llm-d-router (devel), BuildRef v0.10.0: llm-d-router-v0.10.0',
    });
  });

  it('reads a module build by its module version', () => {
    expect(identifyBuild(GIE_V150, versions).eppVersion).toBe('gie-v1.5.0');
  });

  it('says why a binary is not a known one', () => {
    const noRef = LLMD_V0100.replace(/\tbuild\t-ldflags.*\n/, '');
    expect(identifyBuild(noRef, versions)).toEqual({
      eppVersion: null,
      detail: 'github.com/llm-d/llm-d-router (devel), BuildRef not set: not a known EPP module and version',
    });
    expect(identifyBuild(LLMD_V0100.replace(/BuildRef=v0\.10\.0/, 'BuildRef=v0.11.0'), versions)).toEqual({
      eppVersion: null,
      detail:
        'github.com/llm-d/llm-d-router (devel), BuildRef v0.11.0: no pinned EPP llm-d-router-v0.11.0 in versions.yaml',
    });
    expect(identifyBuild('go version -m failed: not a Go binary', versions).eppVersion).toBeNull();
  });

  it("ignores a BuildRef set on another module's version package", () => {
    const other = LLMD_V0100.replace(
      'github.com/llm-d/llm-d-router/version.BuildRef',
      'example.com/x/version.BuildRef',
    );
    expect(parseBuildInfo(other).buildRef).toBeUndefined();
  });
});
