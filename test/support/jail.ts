import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ImageBuild, SessionStart, ShellExec, type ShellExecResult } from '../../server/protocol';
import type { DaemonConnection } from '../../server/protocol/client';

/** Shared between test homes and CI runs on one machine: the debian root file system takes a minute. */
export const imageCache = process.env.CORRAL_IMAGE_CACHE ?? path.join(os.tmpdir(), 'corral-image-cache');

export const TINY = 'corral/tiny:latest';
export const DEBIAN = 'corral/debian:latest';

/** Builds (or finds) an image through the daemon's public API. */
export async function ensureImage(client: DaemonConnection, base: 'tiny' | 'debian'): Promise<string> {
  return (await client.rpc.sendRequest(ImageBuild, { base })).tag;
}

export async function startSession(client: DaemonConnection, image: string, extra: { repo?: string; limits?: { memoryMb?: number; pids?: number } } = {}): Promise<string> {
  return (await client.rpc.sendRequest(SessionStart, { image, ...extra })).id;
}

export function sh(client: DaemonConnection, session: string, command: string, timeoutMs = 30_000): Promise<ShellExecResult> {
  return client.rpc.sendRequest(ShellExec, { session, command, timeoutMs });
}

/** A folder with a file, for --repo. */
export function sampleRepo(files: Record<string, string> = { 'README.md': '# sample\n' }): { dir: string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cr-repo-'));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
