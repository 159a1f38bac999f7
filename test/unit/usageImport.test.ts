import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultLogDirs } from '../../cli/commands/usageImport';
import { readClaudeCode } from '../../cli/commands/usageImportClaudeCode';
import { readCodex } from '../../cli/commands/usageImportCodex';
import { jsonlFiles } from '../../cli/commands/usageLogFiles';
import type { ImportRow } from '../../server/protocol/usage';
import { repoRoot } from '../support/home';

const fixtures = path.join(repoRoot, 'test', 'fixtures', 'usage');

async function all(rows: AsyncGenerator<ImportRow>): Promise<ImportRow[]> {
  const out: ImportRow[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

describe('reading other agents’ logs', () => {
  it('Claude Code: one row per streamed line, ids of message + request, cache tokens folded into input, <synthetic> and torn lines skipped', async () => {
    const files = jsonlFiles(path.join(fixtures, 'claude'));
    assert.equal(files.length, 2);
    const rows = (await Promise.all(files.map((f) => all(readClaudeCode(f))))).flat();
    assert.deepEqual(
      rows.map((r) => r.externalId),
      ['msg_01AbCdEf:req_011CSa1', 'msg_01AbCdEf:req_011CSa1', 'msg_01GhIjKl:req_011CSa2', 'msg_01MnOpQr:req_011CSa3', 'msg_01StUvWx:req_011CSb1'],
    );
    assert.deepEqual(rows[2], {
      externalId: 'msg_01GhIjKl:req_011CSa2',
      at: '2026-11-20T09:00:11.800Z',
      provider: 'anthropic',
      model: 'claude-sonnet-4-5-20250929',
      session: '8f0c2a61-5b7e-4d8a-9d1e-2f6b7c1a9e30',
      inputTokens: 6 + 845 + 12_034,
      outputTokens: 1210,
      cacheReadTokens: 12_034,
      cacheWriteTokens: 845,
      reasoningTokens: 0,
    });
  });

  it('Codex CLI: last_token_usage, the growth of older running totals, repeated events skipped, model from turn_context', async () => {
    const [file] = jsonlFiles(path.join(fixtures, 'codex'));
    const rows = await all(readCodex(file!));
    assert.deepEqual(
      rows.map((r) => [r.externalId.replace(/^rollout-.*:/, ''), r.model, r.inputTokens, r.cacheReadTokens, r.outputTokens, r.reasoningTokens]),
      [
        ['5', 'gpt-5-codex', 8120, 0, 342, 192],
        ['7', 'gpt-5-codex', 9000, 8064, 510, 320],
        ['9', 'gpt-5', 13_000, 8064, 500, 188],
      ],
    );
    assert.equal(rows[0]!.session, 'rollout-2026-11-20T10-15-02-0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b');
  });

  it('looks where the tools keep their logs', () => {
    assert.deepEqual(defaultLogDirs('codex', { CODEX_HOME: '/x/codex' }), ['/x/codex/sessions']);
    assert.deepEqual(defaultLogDirs('claude-code', { CLAUDE_CONFIG_DIR: '/a, /b' }), ['/a/projects', '/b/projects']);
    assert.deepEqual(defaultLogDirs('claude-code', {}), [path.join(os.homedir(), '.config', 'claude', 'projects'), path.join(os.homedir(), '.claude', 'projects')]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cr-logs-'));
    try {
      assert.deepEqual(jsonlFiles(path.join(dir, 'missing')), []);
      fs.writeFileSync(path.join(dir, 'notes.txt'), '');
      assert.deepEqual(jsonlFiles(dir), []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
