/**
 * Schema versions, in order. A migration is an ordinary journaled write, so replaying the journal
 * onto an empty database rebuilds the schema too. Never edit a shipped migration: add one.
 */
export const migrations: readonly { version: number; name: string; sql: readonly string[] }[] = [
  {
    version: 1,
    name: 'kv',
    sql: [
      `CREATE TABLE kv (
         owner TEXT NOT NULL,
         key TEXT NOT NULL,
         value TEXT NOT NULL,
         version INTEGER NOT NULL,
         updated_at TEXT NOT NULL,
         PRIMARY KEY (owner, key)
       ) WITHOUT ROWID`,
    ],
  },
  {
    version: 2,
    name: 'sessions',
    sql: [
      `CREATE TABLE sessions (
         id TEXT PRIMARY KEY,
         owner TEXT NOT NULL,
         name TEXT,
         repo TEXT,
         workspace TEXT NOT NULL,
         image TEXT NOT NULL,
         container_id TEXT,
         limits TEXT NOT NULL,
         state TEXT NOT NULL,
         created_at TEXT NOT NULL,
         updated_at TEXT NOT NULL
       )`,
      'CREATE INDEX sessions_owner ON sessions (owner)',
      `CREATE TABLE session_events (
         id INTEGER PRIMARY KEY,
         session_id TEXT NOT NULL,
         at TEXT NOT NULL,
         actor TEXT NOT NULL,
         kind TEXT NOT NULL,
         detail TEXT
       )`,
      'CREATE INDEX session_events_session ON session_events (session_id, at)',
    ],
  },
];
