import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Database, SqlJsStatic, Statement as SqlJsStatement } from 'sql.js';
import { CorralError, describeError } from '../errors';
import type { Logger } from '../log';
import { ErrorCode, type RecoveryEvent, type StoreStatus } from '../protocol';
import { writeFileAtomic } from './files';
import { Journal, listJournalFiles } from './journal';
import { encodeRecord, type JournalRecord, type SqlValue, type Statement } from './journalFormat';
import { migrations } from './migrations';
import { replayJournal } from './replay';
import { loadSqlJs } from './sqlite';

export type Row = Record<string, SqlValue>;

/** Read access, inside or outside a write. */
export interface Reader {
  all<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): T[];
  get<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): T | undefined;
}

/** Inside `Store.write`: every `run` is recorded and journaled with the transaction. */
export interface Writer extends Reader {
  run(sql: string, params?: readonly SqlValue[]): { changes: number };
}

export interface StoreOptions {
  dbPath: string;
  previousPath: string;
  journalDir: string;
  logger: Logger;
  /** Snapshot after this many journaled writes. */
  snapshotEveryWrites?: number;
  /** And at least this often while there are unsnapshotted writes. */
  snapshotIntervalMs?: number;
}

/**
 * The daemon's database: sql.js in memory, made durable by an fsync'd journal (group commit) and
 * periodic atomic snapshots. `write` resolves only when the write is on disk. Statements run in
 * writes must be deterministic given their parameters: replay re-runs them.
 */
export class Store {
  private readonly cache = new Map<string, SqlJsStatement>();
  private seq: number;
  private snapshotSeq: number;
  private writesSinceSnapshot = 0;
  private inWrite = false;
  private snapshotting: Promise<void> | undefined;
  private failure: string | undefined;
  private closed = false;
  private readonly timer: NodeJS.Timeout;

  private constructor(
    private readonly db: Database,
    private readonly journal: Journal,
    private readonly options: StoreOptions,
    state: { seq: number; snapshotSeq: number },
    readonly recovery: readonly RecoveryEvent[],
  ) {
    this.seq = state.seq;
    this.snapshotSeq = state.snapshotSeq;
    this.timer = setInterval(() => {
      if (this.seq !== this.snapshotSeq) this.snapshotInBackground();
    }, options.snapshotIntervalMs ?? 60_000);
    this.timer.unref();
  }

  /** Loads the newest valid snapshot, replays the journal, verifies, migrates. */
  static async open(options: StoreOptions): Promise<Store> {
    const SQL = await loadSqlJs();
    removeTempFiles(options);
    const events: RecoveryEvent[] = [];
    const loaded = loadSnapshot(SQL, options, events);
    const db = loaded?.db ?? new SQL.Database();
    bootstrap(db);
    const snapshotSeq = loaded?.seq ?? 0;
    const replay = replayJournal(options.journalDir, snapshotSeq, (record) => applyRecord(db, record));
    events.push(...replay.events);
    if (replay.replayed > 0) verify(db);
    const journal = Journal.open(options.journalDir, replay.lastSeq + 1);
    const store = new Store(db, journal, options, { seq: replay.lastSeq, snapshotSeq }, events);
    for (const event of events) options.logger.warn('store recovery', { ...event });
    await store.migrate();
    if (replay.replayed > 0 || events.length > 0) await store.snapshot();
    return store;
  }

  read<T>(fn: (reader: Reader) => T): T {
    return fn(this.reader);
  }

  /**
   * Runs `fn` in one transaction; resolves with its result once the write is durable. `fn` is
   * synchronous, so no other write interleaves. A throw rolls back and journals nothing.
   */
  write<T>(fn: (writer: Writer) => T): Promise<T> {
    if (this.failure !== undefined) return Promise.reject(this.unavailable());
    if (this.closed) {
      return Promise.reject(new CorralError(ErrorCode.ShuttingDown, 'the store is closed', 'retry after the daemon restarts'));
    }
    if (this.inWrite) throw new Error('Store.write called inside another write');
    const statements: Statement[] = (this.recording = []);
    this.inWrite = true;
    let result: T;
    try {
      this.runToEnd('BEGIN', []);
      try {
        result = fn(this.writer);
        this.runToEnd('COMMIT', []);
      } catch (error) {
        this.runToEnd('ROLLBACK', []);
        throw error;
      }
    } finally {
      this.inWrite = false;
      this.recording = [];
    }
    if (statements.length === 0) return Promise.resolve(result);
    const seq = ++this.seq;
    const durable = this.journal.append(encodeRecord({ seq, statements }));
    if (++this.writesSinceSnapshot >= (this.options.snapshotEveryWrites ?? 20_000)) this.snapshotInBackground();
    return durable.then(
      () => result,
      (error: unknown) => {
        this.fail(`journal write failed: ${describeError(error)}`);
        throw this.unavailable();
      },
    );
  }

  /** Writes a snapshot of everything applied so far and retires journal files it covers. */
  snapshot(): Promise<void> {
    this.snapshotting ??= this.takeSnapshot().finally(() => (this.snapshotting = undefined));
    return this.snapshotting;
  }

  status(): StoreStatus {
    const journalBytes = listJournalFiles(this.options.journalDir).reduce((sum, entry) => sum + fs.statSync(entry.file).size, 0);
    return {
      path: this.options.dbPath,
      schemaVersion: this.schemaVersion(),
      lastSeq: this.seq,
      snapshotSeq: this.snapshotSeq,
      journalBytes,
      ...(this.failure === undefined ? {} : { failure: this.failure }),
      recovery: [...this.recovery],
    };
  }

  /** Waits for pending writes, snapshots, and releases the database. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    await this.snapshotting?.catch(() => undefined);
    if (this.failure === undefined) await this.takeSnapshot().catch((error: unknown) => this.fail(describeError(error)));
    await this.journal.close();
    this.clearCache();
    this.db.close();
  }

  private schemaVersion(): number {
    return Number(this.read((r) => r.get<{ value: string }>("SELECT value FROM corral_meta WHERE key = 'schema_version'"))?.value ?? 0);
  }

  private async migrate(): Promise<void> {
    const current = this.schemaVersion();
    for (const migration of migrations) {
      if (migration.version <= current) continue;
      await this.write((w) => {
        for (const sql of migration.sql) w.run(sql);
        w.run("INSERT OR REPLACE INTO corral_meta (key, value) VALUES ('schema_version', ?)", [String(migration.version)]);
      });
      this.options.logger.info('store migrated', { version: migration.version, name: migration.name });
    }
  }

  private async takeSnapshot(): Promise<void> {
    const seq = this.seq;
    if (seq === this.snapshotSeq) return;
    // Not journaled: it describes the snapshot itself and is rewritten by every snapshot.
    this.db.run("INSERT OR REPLACE INTO corral_meta (key, value) VALUES ('snapshot_seq', ?)", [String(seq)]);
    this.clearCache();
    const bytes = this.db.export();
    applyPragmas(this.db);
    this.writesSinceSnapshot = 0;
    await this.journal.rotate(seq + 1);
    await writeFileAtomic(this.options.dbPath, bytes, this.options.previousPath);
    const previousSeq = this.snapshotSeq;
    this.snapshotSeq = seq;
    this.retireJournals(previousSeq);
  }

  /** Deletes journal files whose every record is in the previous snapshot too. */
  private retireJournals(previousSeq: number): void {
    const files = listJournalFiles(this.options.journalDir);
    for (let i = 0; i + 1 < files.length; i++) {
      if (files[i + 1]!.firstSeq <= previousSeq + 1) fs.rmSync(files[i]!.file, { force: true });
    }
  }

  private snapshotInBackground(): void {
    this.snapshot().catch((error: unknown) => {
      this.options.logger.error('snapshot failed', { error: describeError(error) });
    });
  }

  /** Statements run by the write in progress. */
  private recording: Statement[] = [];

  private readonly reader: Reader = {
    all: <T extends Row>(sql: string, params: readonly SqlValue[] = []): T[] => {
      const statement = this.execute(sql, params);
      const rows: T[] = [];
      // The column names once per query, not once per row as getAsObject asks the wasm for them:
      // reading 25,000 ledger rows took 676 ms that way.
      let names: string[] | undefined;
      while (statement.step()) {
        names ??= statement.getColumnNames();
        const values = statement.get();
        const row: Row = {};
        for (let i = 0; i < names.length; i++) row[names[i]!] = (values[i] ?? null) as SqlValue;
        rows.push(row as T);
      }
      statement.reset();
      return rows;
    },
    get: <T extends Row>(sql: string, params: readonly SqlValue[] = []): T | undefined => {
      const statement = this.execute(sql, params);
      const row = statement.step() ? (statement.getAsObject() as T) : undefined;
      statement.reset();
      return row;
    },
  };

  private readonly writer: Writer = {
    ...this.reader,
    run: (sql, params = []) => {
      this.runToEnd(sql, params);
      this.recording.push([sql, [...params]]);
      return { changes: this.db.getRowsModified() };
    },
  };

  /** Runs a statement to the end, whatever its first word (`WITH … INSERT` included), as replay does. */
  private runToEnd(sql: string, params: readonly SqlValue[]): void {
    const statement = this.execute(sql, params);
    while (statement.step());
    statement.reset();
  }

  /** A cached prepared statement, reset and bound to `params`, ready to step. */
  private execute(sql: string, params: readonly SqlValue[]): SqlJsStatement {
    let statement = this.cache.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.cache.set(sql, statement);
    }
    statement.reset();
    statement.bind(params as SqlValue[]);
    return statement;
  }

  private clearCache(): void {
    for (const statement of this.cache.values()) statement.free();
    this.cache.clear();
  }

  private fail(reason: string): void {
    if (this.failure !== undefined) return;
    this.failure = reason;
    this.options.logger.error('store is no longer durable', { reason });
  }

  private unavailable(): CorralError {
    return new CorralError(
      ErrorCode.StoreUnavailable,
      `the store cannot save writes: ${this.failure ?? 'unknown failure'}`,
      'check free disk space and permissions of $CORRAL_HOME, then restart the daemon (`corral daemon stop`)',
    );
  }
}

function applyPragmas(db: Database): void {
  // The database lives in memory; durability is the journal's job, so SQLite's own is off.
  // Exclusive locking spares a hot-journal lookup in sql.js's in-memory file system on every
  // transaction (it was the largest cost of a write).
  db.run('PRAGMA locking_mode = EXCLUSIVE');
  db.run('PRAGMA journal_mode = MEMORY');
  db.run('PRAGMA synchronous = OFF');
  db.run('PRAGMA foreign_keys = ON');
}

function bootstrap(db: Database): void {
  applyPragmas(db);
  db.run('CREATE TABLE IF NOT EXISTS corral_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
}

/**
 * Checks a loaded snapshot (or one a replay changed) before trusting it: pages, records, free
 * list and NOT NULL constraints (`quick_check`). Not `integrity_check`, which also compares every
 * index with its table: on a store holding a year of heavy use (1,000,000 ledger rows, 178 MB) it
 * took 9.9 s of every daemon start against 2.1 s; a snapshot is only ever written whole (written
 * aside, fsynced, renamed), so what a check must catch is a file damaged or replaced on disk.
 */
function verify(db: Database): void {
  const result = db.exec('PRAGMA quick_check');
  const verdict = result[0]?.values[0]?.[0];
  if (verdict !== 'ok') throw new Error(`database integrity check failed: ${String(verdict)}`);
}

function applyRecord(db: Database, record: JournalRecord): void {
  db.run('BEGIN');
  try {
    for (const [sql, params] of record.statements) db.run(sql, params as SqlValue[]);
    db.run('COMMIT');
  } catch (error) {
    db.run('ROLLBACK');
    throw error;
  }
}

/** The current snapshot, else the previous one; each failure is a recovery event. */
function loadSnapshot(SQL: SqlJsStatic, options: StoreOptions, events: RecoveryEvent[]): { db: Database; seq: number } | undefined {
  for (const file of [options.dbPath, options.previousPath]) {
    if (!fs.existsSync(file)) continue;
    let db: Database | undefined;
    try {
      db = new SQL.Database(fs.readFileSync(file));
      verify(db);
      const row = db.exec("SELECT value FROM corral_meta WHERE key = 'snapshot_seq'")[0]?.values[0]?.[0];
      const seq = Number(row);
      if (!Number.isInteger(seq) || seq < 0) throw new Error('snapshot has no sequence number');
      if (events.length > 0) {
        events.push({ kind: 'snapshot-fallback', message: `loaded the previous snapshot ${file} (record ${seq})` });
      }
      return { db, seq };
    } catch (error) {
      db?.close();
      events.push({ kind: 'corrupt-snapshot', message: `snapshot ${file} is unreadable: ${describeError(error)}` });
    }
  }
  if (events.length > 0) {
    events.push({ kind: 'snapshot-fallback', message: 'no valid snapshot: rebuilding from the journal alone' });
  }
  return undefined;
}

/** Temp files of a snapshot that a crash interrupted: never valid, never needed. */
function removeTempFiles(options: StoreOptions): void {
  const dir = path.dirname(options.dbPath);
  if (!fs.existsSync(dir)) return;
  const prefixes = [`${path.basename(options.dbPath)}.tmp-`, `${path.basename(options.previousPath)}.tmp-`];
  for (const name of fs.readdirSync(dir)) {
    if (prefixes.some((prefix) => name.startsWith(prefix))) fs.rmSync(path.join(dir, name), { force: true });
  }
}
