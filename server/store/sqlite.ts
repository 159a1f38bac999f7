import * as fs from 'node:fs';
import * as path from 'node:path';
import initSqlJs, { type SqlJsStatic } from 'sql.js';

let loading: Promise<SqlJsStatic> | undefined;

/**
 * Loads the sql.js wasm once per process. The bundle ships `sql-wasm.wasm` beside itself; when
 * running from sources (tests) it comes from the package.
 */
export function loadSqlJs(): Promise<SqlJsStatic> {
  loading ??= initSqlJs({ wasmBinary: readWasm() });
  return loading;
}

function readWasm(): ArrayBuffer {
  const beside = path.join(__dirname, 'sql-wasm.wasm');
  const file = fs.existsSync(beside) ? beside : require.resolve('sql.js/dist/sql-wasm.wasm');
  const bytes = fs.readFileSync(file);
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
