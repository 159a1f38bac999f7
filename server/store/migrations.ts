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
];
