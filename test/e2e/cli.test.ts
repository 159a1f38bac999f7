import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KvPut } from '../../server/protocol';
import { homePaths } from '../../server/protocol/paths';
import { listJournalFiles } from '../../server/store/journal';
import { ANSI, runCli } from '../support/cli';
import { connect } from '../support/daemon';
import { tempHome } from '../support/home';

interface DoctorJson {
  ok: boolean;
  checks: { id: string; status: 'ok' | 'warn' | 'fail'; detail: string; hint?: string }[];
}

describe('corral CLI: daemon and doctor', function () {
  this.timeout(60_000);
  let home: ReturnType<typeof tempHome>;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    home = tempHome('cli');
    env = { CORRAL_HOME: home.home };
  });
  afterEach(async () => {
    await runCli(['daemon', 'stop'], env);
    home.cleanup();
  });

  it('daemon status says "not running" with exit 3 before any start, in text and JSON', async () => {
    const text = await runCli(['daemon', 'status'], env);
    assert.equal(text.code, 3);
    assert.match(text.stdout, /not running/);
    const json = await runCli(['daemon', 'status', '--json'], env);
    assert.equal(json.code, 3);
    assert.deepEqual(JSON.parse(json.stdout), { running: false, home: home.home });
  });

  it('doctor starts the daemon on demand, says so once on stderr, and passes every check', async () => {
    const result = await runCli(['doctor', '--json'], env);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(result.stderr.match(/starting the daemon/g)?.length, 1);
    const doctor = JSON.parse(result.stdout) as DoctorJson;
    assert.deepEqual(
      doctor.checks.map((c) => c.id),
      ['node', 'home', 'daemon', 'token', 'socket', 'store', 'docker', 'image'],
    );
    for (const check of doctor.checks) assert.equal(check.status, 'ok', `${check.id}: ${check.detail}`);
    assert.equal(doctor.ok, true);
    const again = await runCli(['doctor'], env);
    assert.equal(again.stderr, '', 'no second start notice');
    assert.doesNotMatch(again.stdout, ANSI, 'no colour when stdout is not a terminal');
    assert.match(again.stdout, /^ok\s+Docker engine/m);
  });

  it('doctor fails with the exact fix when the home is open to others', async () => {
    assert.equal((await runCli(['daemon', 'start'], env)).code, 0);
    fs.chmodSync(home.home, 0o755);
    const result = await runCli(['doctor', '--json'], env);
    assert.equal(result.code, 1);
    const check = (JSON.parse(result.stdout) as DoctorJson).checks.find((c) => c.id === 'home')!;
    assert.equal(check.status, 'fail');
    assert.equal(check.hint, `chmod 0700 ${home.home}`);
    const text = await runCli(['doctor'], { ...env, NO_COLOR: '1' });
    assert.match(text.stdout, /^FAIL\s+State directory/m);
    assert.match(text.stdout, /hint: chmod 0700/);
  });

  it('doctor reports a torn journal found at start as a warning with what was dropped', async () => {
    assert.equal((await runCli(['daemon', 'start'], env)).code, 0);
    const client = await connect(home.home);
    for (let i = 0; i < 5; i++) await client.rpc.sendRequest(KvPut, { key: `k${i}`, value: i });
    client.dispose();
    const pid = Number(fs.readFileSync(homePaths(home.home).lock, 'utf8'));
    process.kill(pid, 'SIGKILL');
    while (isAlive(pid)) await new Promise((r) => setTimeout(r, 10));
    const last = listJournalFiles(homePaths(home.home).journal).at(-1)!.file;
    fs.truncateSync(last, fs.statSync(last).size - 3);
    const result = await runCli(['doctor', '--json'], env);
    assert.equal(result.code, 0, 'a recovered store is a warning, not a failure');
    const store = (JSON.parse(result.stdout) as DoctorJson).checks.find((c) => c.id === 'store')!;
    assert.equal(store.status, 'warn');
    assert.match(store.detail, /torn tail .* dropped \d+ bytes/);
    assert.match(store.hint ?? '', /dropped/);
  });

  it('daemon start, status and stop report in JSON and really stop the process', async () => {
    const started = await runCli(['daemon', 'start', '--json'], env);
    assert.equal(started.code, 0);
    const status = JSON.parse(started.stdout) as { running: boolean; pid: number; socket: string };
    assert.equal(status.running, true);
    assert.equal(status.socket, homePaths(home.home).socket);
    const again = await runCli(['daemon', 'start', '--json'], env);
    assert.equal((JSON.parse(again.stdout) as { pid: number }).pid, status.pid, 'a second start reuses the daemon');
    const stopped = await runCli(['daemon', 'stop', '--json'], env);
    assert.equal(stopped.code, 0);
    assert.deepEqual(JSON.parse(stopped.stdout), { running: false, stopped: true, pid: status.pid, home: home.home });
    assert.equal(isAlive(status.pid), false);
    const noop = await runCli(['daemon', 'stop', '--json'], env);
    assert.equal(noop.code, 0);
    assert.equal((JSON.parse(noop.stdout) as { stopped: boolean }).stopped, false);
  });

  it('refuses an unknown command or flag with exit 2 and the closest suggestion', async () => {
    const command = await runCli(['deamon', 'status'], env);
    assert.equal(command.code, 2);
    assert.match(command.stderr, /Did you mean daemon\?/);
    const flag = await runCli(['doctor', '--jsn'], env);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /Did you mean --json\?/);
    assert.equal(flag.stdout, '');
  });

  it('prints completion scripts built from the command table, and bash completes with them', async () => {
    const script = await runCli(['completion', 'bash'], env);
    assert.equal(script.code, 0);
    const scriptFile = path.join(home.home, 'corral.bash');
    fs.writeFileSync(scriptFile, script.stdout);
    const complete = (line: string): string => {
      const probe = `source ${scriptFile}; COMP_WORDS=(${line}); ${line.endsWith(' ') ? 'COMP_WORDS+=("");' : ''} COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); _corral; echo "\${COMPREPLY[*]}"`;
      return execFileSync('bash', ['-c', probe], { encoding: 'utf8', timeout: 5000 }).trim();
    };
    assert.equal(complete('corral session '), 'start ls show pause resume stop rm --help');
    assert.equal(complete('corral session start --w'), '--with-changes');
    assert.equal(complete('corral exec abc --t'), '--timeout');
    assert.match((await runCli(['completion', 'fish'], env)).stdout, /complete -c corral -n __fish_use_subcommand -a session/);
    assert.match((await runCli(['completion', 'zsh'], env)).stdout, /bashcompinit/);
    const bad = await runCli(['completion', 'tcsh'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /hint: use bash, zsh or fish/);
  });

  it('has --help with examples on every command', async () => {
    const commands = [
      ['doctor'],
      ['daemon', 'start'],
      ['daemon', 'stop'],
      ['daemon', 'status'],
      ['image', 'build'],
      ['image', 'ls'],
      ['session', 'start'],
      ['session', 'ls'],
      ['session', 'show'],
      ['session', 'pause'],
      ['session', 'resume'],
      ['session', 'stop'],
      ['session', 'rm'],
      ['diff'],
      ['apply'],
      ['exec'],
      ['attach'],
      ['run'],
      ['usage'],
      ['tasks', 'ls'],
      ['tasks', 'show'],
      ['tasks', 'start'],
      ['tasks', 'note'],
      ['tasks', 'done'],
      ['tasks', 'block'],
      ['tasks', 'handoff'],
      ['tasks', 'add'],
      ['tasks', 'init'],
      ['completion'],
    ];
    const results = await Promise.all(commands.map((words) => runCli([...words, '--help'], env)));
    results.forEach((result, i) => {
      const name = commands[i]!.join(' ');
      assert.equal(result.code, 0, name);
      assert.match(result.stdout, new RegExp(`^Usage: corral ${name}`), name);
      assert.match(result.stdout, new RegExp(`\\nExamples:\\n(  corral ${name}.*\\n|  .*corral ${name}.*\\n)+`), `${name} has examples of itself`);
    });
  });

  it('prints its version', async () => {
    const { version } = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { version: string };
    const result = await runCli(['--version'], env);
    assert.equal(result.code, 0);
    assert.equal(result.stdout.trim(), version);
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
