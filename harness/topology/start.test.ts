import { lostPortRace } from './start';

describe('starting a topology', () => {
  it('retries only a start that lost a port to another process', () => {
    expect(lostPortRace(new Error("envoy exited: cannot bind '127.0.0.1:33445': Address already in use"))).toBe(true);
    expect(lostPortRace(new Error('listen EADDRINUSE: address already in use 127.0.0.1:8080'))).toBe(true);
    expect(lostPortRace(new Error('envoy exited with code 1: invalid bootstrap'))).toBe(false);
    expect(lostPortRace(undefined)).toBe(false);
  });
});
