export * from './contract-check';
export * from './contracts';
export * from './expect-trace';
export * from './jaeger-client';
export * from './model';
export * from './render';
export * from './selector';
export * from './wait';
