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
  {
    version: 3,
    name: 'session lifecycle, git workspaces, instrumentation, tokens',
    sql: [
      'ALTER TABLE sessions ADD COLUMN state_reason TEXT',
      'ALTER TABLE sessions ADD COLUMN base_commit TEXT',
      'ALTER TABLE sessions ADD COLUMN branch TEXT',
      'ALTER TABLE sessions ADD COLUMN repo_root TEXT',
      'ALTER TABLE sessions ADD COLUMN objects_dir TEXT',
      'ALTER TABLE sessions ADD COLUMN trusted_dir TEXT',
      'ALTER TABLE sessions ADD COLUMN last_active_at TEXT',
      'ALTER TABLE session_events ADD COLUMN from_state TEXT',
      'ALTER TABLE session_events ADD COLUMN to_state TEXT',
      `CREATE TABLE commands (
         id INTEGER PRIMARY KEY,
         session_id TEXT NOT NULL,
         user TEXT NOT NULL,
         command TEXT NOT NULL,
         started_at TEXT NOT NULL,
         duration_ms REAL NOT NULL,
         exit_code INTEGER NOT NULL,
         timed_out INTEGER NOT NULL,
         bytes_out INTEGER NOT NULL
       )`,
      'CREATE INDEX commands_session ON commands (session_id, started_at)',
      `CREATE TABLE resource_samples (
         session_id TEXT NOT NULL,
         at TEXT NOT NULL,
         cpu_percent REAL NOT NULL,
         memory_bytes INTEGER NOT NULL,
         pids INTEGER NOT NULL
       )`,
      'CREATE INDEX resource_samples_session ON resource_samples (session_id, at)',
      `CREATE TABLE tokens (
         hash TEXT PRIMARY KEY,
         user TEXT NOT NULL,
         created_at TEXT NOT NULL
       )`,
    ],
  },
  {
    version: 4,
    name: 'token ledger, daily usage roll-up, agent runs',
    sql: [
      // One append-only row per model call. cost_usd NULL = no price known (never 0).
      `CREATE TABLE llm_calls (
         id INTEGER PRIMARY KEY,
         at TEXT NOT NULL,
         user TEXT NOT NULL,
         session_id TEXT,
         run_id TEXT,
         task TEXT,
         persona TEXT,
         provider TEXT NOT NULL,
         model TEXT NOT NULL,
         input_tokens INTEGER NOT NULL,
         output_tokens INTEGER NOT NULL,
         cache_read_tokens INTEGER NOT NULL,
         cache_write_tokens INTEGER NOT NULL,
         reasoning_tokens INTEGER NOT NULL,
         cost_usd REAL,
         price_version TEXT,
         latency_ms REAL NOT NULL,
         outcome TEXT NOT NULL,
         estimated INTEGER NOT NULL,
         replay INTEGER NOT NULL
       )`,
      'CREATE INDEX llm_calls_at ON llm_calls (at)',
      'CREATE INDEX llm_calls_run ON llm_calls (run_id)',
      // Kept in the same transaction as each ledger row, so reports over months read days, not calls.
      // Missing session/task/persona are '' here: NULLs would defeat the primary key.
      `CREATE TABLE usage_daily (
         day TEXT NOT NULL,
         user TEXT NOT NULL,
         provider TEXT NOT NULL,
         model TEXT NOT NULL,
         session_id TEXT NOT NULL,
         task TEXT NOT NULL,
         persona TEXT NOT NULL,
         replay INTEGER NOT NULL,
         calls INTEGER NOT NULL,
         estimated_calls INTEGER NOT NULL,
         input_tokens INTEGER NOT NULL,
         output_tokens INTEGER NOT NULL,
         cache_read_tokens INTEGER NOT NULL,
         cache_write_tokens INTEGER NOT NULL,
         reasoning_tokens INTEGER NOT NULL,
         cost_usd REAL NOT NULL,
         unpriced_calls INTEGER NOT NULL,
         PRIMARY KEY (day, user, provider, model, session_id, task, persona, replay)
       ) WITHOUT ROWID`,
      `CREATE TABLE agent_runs (
         id TEXT PRIMARY KEY,
         user TEXT NOT NULL,
         session_id TEXT NOT NULL,
         task TEXT,
         persona TEXT,
         provider TEXT NOT NULL,
         model TEXT NOT NULL,
         goal TEXT NOT NULL,
         outcome TEXT,
         steps INTEGER NOT NULL,
         started_at TEXT NOT NULL,
         ended_at TEXT,
         summary TEXT,
         replay INTEGER NOT NULL
       )`,
      'CREATE INDEX agent_runs_user ON agent_runs (user, started_at)',
    ],
  },
  {
    version: 5,
    name: 'task board events',
    sql: [
      // What happened to tasks through Corral: start, note, done, block, handoff, agent runs.
      `CREATE TABLE task_events (
         id INTEGER PRIMARY KEY,
         at TEXT NOT NULL,
         user TEXT NOT NULL,
         board TEXT NOT NULL,
         task TEXT NOT NULL,
         action TEXT NOT NULL,
         detail TEXT
       )`,
      'CREATE INDEX task_events_task ON task_events (board, task, at)',
    ],
  },
  {
    version: 6,
    name: 'folder grants',
    sql: [
      // Folders the daemon's owner lets another user work on (real paths, resolved when granted).
      `CREATE TABLE grants (
         user TEXT NOT NULL,
         dir TEXT NOT NULL,
         granted_at TEXT NOT NULL,
         PRIMARY KEY (user, dir)
       ) WITHOUT ROWID`,
    ],
  },
  {
    version: 7,
    name: 'usage analytics: imported calls, alerts, forecasts',
    sql: [
      // Rows imported from other agents' logs: source names the tool ('claude-code', 'codex'; NULL =
      // Corral's own call) and external_id its message id, so a second import adds nothing.
      'ALTER TABLE llm_calls ADD COLUMN source TEXT',
      'ALTER TABLE llm_calls ADD COLUMN external_id TEXT',
      'CREATE UNIQUE INDEX llm_calls_external ON llm_calls (source, external_id) WHERE external_id IS NOT NULL',
      // One row per anomaly: dedupe_key makes the same finding (kind, subject, window) land once.
      `CREATE TABLE usage_alerts (
         id INTEGER PRIMARY KEY,
         kind TEXT NOT NULL,
         user TEXT NOT NULL,
         dedupe_key TEXT NOT NULL UNIQUE,
         at TEXT NOT NULL,
         severity TEXT NOT NULL,
         message TEXT NOT NULL,
         evidence TEXT NOT NULL,
         acked_at TEXT,
         acked_by TEXT,
         delivered_at TEXT
       )`,
      'CREATE INDEX usage_alerts_user ON usage_alerts (user, at)',
      // A month's spend forecast as made on one day, so the monthly review can set it against what happened.
      `CREATE TABLE usage_forecasts (
         month TEXT NOT NULL,
         user TEXT NOT NULL,
         day TEXT NOT NULL,
         projected_usd REAL NOT NULL,
         low_usd REAL NOT NULL,
         high_usd REAL NOT NULL,
         method TEXT NOT NULL,
         PRIMARY KEY (month, user, day)
       ) WITHOUT ROWID`,
    ],
  },
  {
    version: 9,
    name: 'agent run journal',
    sql: [
      // What `resume` needs to start the run again as it was asked for (goal, provider, limits), as JSON.
      'ALTER TABLE agent_runs ADD COLUMN params TEXT',
      // The run's conversation, one row per completed step, written in the write that completes it:
      // the model's turn and the tool results it got, i.e. what the next model call is sent.
      `CREATE TABLE agent_run_steps (
         run_id TEXT NOT NULL,
         step INTEGER NOT NULL,
         at TEXT NOT NULL,
         messages TEXT NOT NULL,
         PRIMARY KEY (run_id, step)
       ) WITHOUT ROWID`,
    ],
  },
];
