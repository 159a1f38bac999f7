/**
 * The whole protocol between the corral daemon and its clients. This folder is the only part of
 * `server/` that `cli/`, `extension/` and `webview/` may import.
 */
export * from './base';
export * from './hello';
export * from './daemon';
export * from './kv';
export * from './session';
export * from './shell';
export * from './image';
export * from './attach';
export * from './agent';
export * from './agentEvents';
export * from './usage';
export * from './tasks';
export * from './taskQueue';
export * from './auth';
export * from './env';
export * from './web';
export * from './ports';
export * from './provider';
