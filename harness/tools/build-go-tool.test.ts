import { buildStamp, goBuildEnv, type GoToolSpec } from './build-go-tool';

const pin = { module: 'example.com/m', version: 'v1.0.0', package: 'example.com/m/cmd/x', binary: 'x' };
const plain: GoToolSpec = { name: 'x', key: 'v1.0.0', pins: [pin], replacesFrom: [pin] };
const cgo: GoToolSpec = { ...plain, cgo: { cflags: '-I/inc', ldflags: '-L/lib -lfoo' } };

describe('Go tool builds', () => {
  it('keeps the stamp of a build without cgo as the bare pins, so existing caches stay valid', () => {
    expect(buildStamp(plain)).toBe(JSON.stringify([pin]));
  });

  it('puts the cgo flags into the stamp, so changed flags rebuild', () => {
    expect(buildStamp(cgo)).not.toBe(buildStamp(plain));
    expect(buildStamp({ ...cgo, cgo: { cflags: '-I/other', ldflags: '-L/lib -lfoo' } })).not.toBe(buildStamp(cgo));
    expect(JSON.parse(buildStamp(cgo))).toEqual({ pins: [pin], cgo: cgo.cgo });
  });

  it('builds with CGO_ENABLED=0 unless the spec carries cgo flags', () => {
    const env = { PATH: '/bin', CGO_CFLAGS: 'stray' };
    expect(goBuildEnv(plain, env)).toEqual({ ...env, CGO_ENABLED: '0', GOFLAGS: '-mod=mod' });
    expect(goBuildEnv(cgo, env)).toEqual({
      PATH: '/bin',
      CGO_ENABLED: '1',
      CGO_CFLAGS: '-I/inc',
      CGO_LDFLAGS: '-L/lib -lfoo',
      GOFLAGS: '-mod=mod',
    });
  });
});
