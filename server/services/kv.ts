import { CorralError } from '../errors';
import { ErrorCode, type KvEntry } from '../protocol';
import type { Clock } from '../ports/clock';
import type { Store } from '../store/store';

const MAX_VALUE_BYTES = 64 * 1024;

type KvRow = { key: string; value: string; version: number; updated_at: string };

/** Per-user key/value state for clients; each user reads and writes only their own keys. */
export class KvService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async put(owner: string, key: string, value: unknown): Promise<KvEntry> {
    const text = JSON.stringify(value);
    if (Buffer.byteLength(text) > MAX_VALUE_BYTES) {
      throw new CorralError(ErrorCode.InvalidParams, `value for ${key} is larger than ${MAX_VALUE_BYTES} bytes`, 'store large data in files, not in kv');
    }
    const updatedAt = this.clock.now().toISOString();
    return this.store.write((w) => {
      const previous = w.get<{ version: number }>('SELECT version FROM kv WHERE owner = ? AND key = ?', [owner, key]);
      const version = (previous?.version ?? 0) + 1;
      w.run(
        `INSERT INTO kv (owner, key, value, version, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (owner, key) DO UPDATE SET value = excluded.value, version = excluded.version, updated_at = excluded.updated_at`,
        [owner, key, text, version, updatedAt],
      );
      return { key, value, version, updatedAt };
    });
  }

  get(owner: string, key: string): KvEntry | null {
    const row = this.store.read((r) => r.get<KvRow>('SELECT key, value, version, updated_at FROM kv WHERE owner = ? AND key = ?', [owner, key]));
    return row ? toEntry(row) : null;
  }

  list(owner: string, prefix = ''): KvEntry[] {
    const rows = this.store.read((r) =>
      r.all<KvRow>('SELECT key, value, version, updated_at FROM kv WHERE owner = ? AND substr(key, 1, ?) = ? ORDER BY key', [owner, prefix.length, prefix]),
    );
    return rows.map(toEntry);
  }

  async delete(owner: string, key: string): Promise<boolean> {
    return this.store.write((w) => w.run('DELETE FROM kv WHERE owner = ? AND key = ?', [owner, key]).changes > 0);
  }
}

function toEntry(row: KvRow): KvEntry {
  return { key: row.key, value: JSON.parse(row.value) as unknown, version: row.version, updatedAt: row.updated_at };
}
