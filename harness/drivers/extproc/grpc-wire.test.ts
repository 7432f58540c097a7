import { describeStatus, frameMessage, FrameReader, statusFrom } from './grpc-wire';

describe('gRPC wire format', () => {
  it('frames a message: flag 0, big-endian length, bytes', () => {
    expect([...frameMessage(Buffer.from('abc'))]).toEqual([0, 0, 0, 0, 3, 97, 98, 99]);
    expect([...frameMessage(Buffer.alloc(0))]).toEqual([0, 0, 0, 0, 0]);
  });

  it('reads messages split across chunks and several in one chunk', () => {
    const stream = Buffer.concat([
      frameMessage(Buffer.from('one')),
      frameMessage(Buffer.alloc(0)),
      frameMessage(Buffer.from('three')),
    ]);
    const r = new FrameReader();
    const out: string[] = [];
    // byte by byte: every split point, including inside the 5-byte prefix
    for (let i = 0; i < stream.length; i++) out.push(...r.push(stream.subarray(i, i + 1)).map((b) => b.toString()));
    expect(out).toEqual(['one', '', 'three']);
    expect(r.leftover).toBe(0);
    expect(new FrameReader().push(stream).map((b) => b.toString())).toEqual(['one', '', 'three']);
  });

  it('keeps a cut-off message as leftover and refuses a compressed one', () => {
    const r = new FrameReader();
    expect(r.push(frameMessage(Buffer.from('abcdef')).subarray(0, 8))).toEqual([]);
    expect(r.leftover).toBe(8);
    const compressed = frameMessage(Buffer.from('x'));
    compressed[0] = 1;
    expect(() => new FrameReader().push(compressed)).toThrow('compressed-flag 1');
  });

  it('reads the status and its percent-encoded message', () => {
    expect(statusFrom({ 'grpc-status': '0' })).toEqual({ code: 0, message: '' });
    expect(statusFrom({ 'grpc-status': '13', 'grpc-message': 'no%20pods%3A 100%' })).toEqual({
      code: 13,
      message: 'no%20pods%3A 100%',
    });
    expect(statusFrom({ 'grpc-status': '14', 'grpc-message': 'no%20pods' })).toEqual({ code: 14, message: 'no pods' });
    expect(statusFrom({ 'content-type': 'application/grpc' })).toBeUndefined();
    expect(describeStatus({ code: 14, message: 'connection refused' })).toBe('14 UNAVAILABLE: connection refused');
    expect(describeStatus({ code: 0, message: '' })).toBe('0 OK');
  });
});
