// The package's entry: everything the generator made (one function per operationId, the
// types of every schema), plus the generated client's factory for choosing the origin and key.
export * from './generated/index.js';
export { createClient, createConfig } from './generated/client/index.js';
export type { Client, Config, ClientOptions } from './generated/client/index.js';
