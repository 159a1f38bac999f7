import * as assert from 'node:assert/strict';
import { Command } from 'commander';
import { command, flag, option, optionsFrom, register, type Options } from '../../cli/command';
import { authGrantCommand, authRevokeCommand, imageBuildCommand, portCommand, registerCommands, tasksLsCommand } from '../../cli/commands';
import { CliError } from '../../cli/errors';
import { ExitCode } from '../../cli/exitCodes';

/** Parses `argv` with the real command table; answers the options object the command would get. */
async function parse(argv: string[]): Promise<Record<string, unknown>> {
  let parsed: Record<string, unknown> | undefined;
  const program = new Command('corral').option('--json').option('-v, --verbose').exitOverride();
  registerCommands(program, (parent, spec) =>
    register(parent, spec).action((...args: unknown[]) => {
      parsed = optionsFrom(args[args.length - 1] as Command, args);
    }),
  );
  await program.parseAsync(argv, { from: 'user' });
  assert.ok(parsed, `no command ran for ${argv.join(' ')}`);
  return parsed;
}

describe('CLI command contract: one spec gives commander its command and the command its typed options', () => {
  it('gives arguments by name (variadic as lists, a missing optional one undefined) beside the flags', async () => {
    assert.deepEqual(await parse(['auth', 'grant', 'bob', 'a', 'b']), { user: 'bob', dirs: ['a', 'b'] });
    assert.deepEqual(await parse(['auth', 'revoke', 'bob']), { user: 'bob', dirs: [] });
    assert.deepEqual(await parse(['port', '3f2a']), { id: '3f2a', port: undefined });
    assert.deepEqual(await parse(['exec', '3f2a', '--timeout', '5', '--', 'ls', '-la']), { id: '3f2a', command: ['ls', '-la'], timeout: '5' });
    assert.deepEqual(await parse(['session', 'rm', '3f2a', '--purge']), { id: '3f2a', purge: true });
    assert.deepEqual(await parse(['run', '--max-steps', '3', '--list']), { maxSteps: '3', list: true });
  });

  it('applies defaults and checks values while parsing: a bad value is a usage error (exit 2) before anything runs', async () => {
    assert.deepEqual(await parse(['image', 'build']), { base: 'debian' });
    assert.deepEqual(await parse(['tasks', 'ls', '--status', 'in-progress']), { status: 'in_progress' });
    assert.deepEqual(await parse(['web', '--port', '0']), { port: 0 });
    for (const [argv, message] of [
      [['image', 'build', '--base', 'alpine'], 'unknown base alpine'],
      [['tasks', 'ls', '--status', 'soon'], 'unknown status soon'],
      [['usage', '--by', 'colour'], 'cannot group by colour'],
      [['usage', 'export', '--format', 'xml'], 'unknown --format xml'],
      [['web', '--port', '70000'], '--port 70000 is not a port'],
    ] as const) {
      await assert.rejects(
        parse([...argv]),
        (error: unknown) => error instanceof CliError && error.message === message && error.exitCode === ExitCode.Usage && error.hint.length > 0,
      );
    }
  });

  it('refuses a spec whose option key is not the field commander fills, or names an argument twice', () => {
    const parent = new Command('corral');
    assert.throws(() => register(parent, command({ name: 'one', description: '', options: { dir: option('--repo <dir>', '') } })), /--repo <dir> is read as repo, declared as dir/);
    assert.throws(() => register(parent, command({ name: 'two <id>', description: '', options: { id: flag('--id', '') } })), /id is both an argument and an option/);
  });

  it('types the options from the spec', () => {
    // Compile-time checks (tsc runs over the tests): these assignments fail to compile if the types drift.
    const grant: Options<typeof authGrantCommand> = { user: 'bob', dirs: ['.'] };
    const revoke: Options<typeof authRevokeCommand> = { user: 'bob', dirs: [] };
    const forward: Options<typeof portCommand> = { id: '3f2a', port: undefined };
    const build: Options<typeof imageBuildCommand> = { base: 'tiny', tag: undefined };
    const listed: Options<typeof tasksLsCommand> = { board: undefined, status: 'other', assignee: undefined };
    // @ts-expect-error: a base the spec does not allow
    const wrong: Options<typeof imageBuildCommand> = { base: 'alpine', tag: undefined };
    assert.ok(grant && revoke && forward && build && listed && wrong);
  });
});
