// The board language server as one lazily loaded module (its own bundle, dist/lsp.js), so the
// CLI parses vscode-languageserver and markdown-it only for `corral lsp`.
export { startBoardServer } from './server';
export { DaemonFacts } from './daemonFacts';
