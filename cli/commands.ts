import type { Command } from 'commander';
import { command, flag, oneOf, option, type Bind } from './command';
import { CliError } from './errors';
import { ExitCode } from './exitCodes';
import { TASK_STATUSES } from '../server/protocol/states';
import { USAGE_GROUPS } from '../server/protocol/usage';

// The command table. Each command is one spec (cli/command.ts): its name and arguments, help,
// flags and examples, from which both commander's registration and the command's
// `Options<typeof spec>` come. `registerCommands` binds each spec to its module, loaded only when
// that command runs.

export const doctorCommand = command({
  name: 'doctor',
  description: 'check Node.js, the state directory, the daemon, its store and the Docker engine',
  examples: ['corral doctor', `corral doctor --json | jq '.checks[] | select(.status != "ok")'`],
});

const repoOption = option('--repo <dir>', 'the repository (default: the one you are in)');

export const daemonStartCommand = command({
  name: 'start',
  description: 'start the daemon for $CORRAL_HOME unless one already runs',
  examples: ['corral daemon start', 'CORRAL_HOME=/tmp/other corral daemon start --json'],
});
export const daemonStopCommand = command({
  name: 'stop',
  description: 'stop the daemon gracefully (finishes in-flight work, flushes the store)',
  examples: ['corral daemon stop'],
});
export const daemonStatusCommand = command({
  name: 'status',
  description: 'show whether the daemon runs, its pid, socket and store (exit 3 when not running)',
  examples: ['corral daemon status', 'corral daemon status --json | jq .store'],
});

export const imageBuildCommand = command({
  name: 'build',
  description: 'build the workspace image offline: debian (git, bash, python3; needs root) or tiny (busybox)',
  options: {
    base: option('--base <base>', 'tiny or debian', {
      default: 'debian',
      parse: oneOf(['tiny', 'debian'], (base) => new CliError(`unknown base ${base}`, 'use --base tiny or --base debian', ExitCode.Usage)),
    }),
    tag: option('--tag <tag>', 'image tag (default corral/<base>:latest)'),
  },
  examples: ['sudo corral image build', 'corral image build --base tiny'],
});
export const imageLsCommand = command({
  name: 'ls',
  description: 'list the images Corral built',
  examples: ['corral image ls', 'corral image ls --json | jq -r ".[].tag"'],
});
export const imagePullCommand = command({
  name: 'pull <name>',
  description: 'pull an image from its registry (when none answers: says so within seconds, and how to build offline)',
  examples: ['corral image pull node:20-bookworm'],
});

export const envShowCommand = command({
  name: 'show',
  description: 'what environment sessions over the repository get, and why (builds nothing)',
  options: { repo: repoOption },
  examples: ['corral env show', 'corral env show --repo ../app --json | jq .setup'],
});
export const envBuildCommand = command({
  name: 'build',
  description: 'build the environment now: toolchain, setup commands with network, dependency folders (cached by its inputs)',
  options: { repo: repoOption },
  examples: ['corral env build', 'corral env build --repo ../app'],
});
export const envLsCommand = command({
  name: 'ls',
  description: 'list the environment images',
  examples: ['corral env ls', 'corral env ls --json | jq -r ".[].image"'],
});
export const envPruneCommand = command({
  name: 'prune',
  description: 'remove environment images no session uses (of --repo, or all)',
  options: { repo: repoOption },
  examples: ['corral env prune', 'corral env prune --repo .'],
});

export const completionCommand = command({
  name: 'completion <shell>',
  description: 'print a completion script for bash, zsh or fish',
  examples: ['source <(corral completion bash)', 'corral completion fish | source'],
});

export const sessionStartCommand = command({
  name: 'start',
  description: 'start a session: a hardened container over a private checkout of --repo (a copy for a non-git folder)',
  options: {
    repo: option('--repo <dir>', 'folder or git repository to work on (default: the repository you are in; your checkout is never touched until apply)'),
    image: option('--image <image>', "local image (default: the repository's environment, see `corral env show`; else corral/debian:latest or $CORRAL_IMAGE)"),
    name: option('--name <name>', 'a name to recognise it by'),
    withChanges: flag('--with-changes', "carry the repo's uncommitted and untracked files into the session"),
  },
  examples: ['corral session start --repo .', 'corral session start --image corral/tiny:latest'],
});
export const sessionLsCommand = command({
  name: 'ls',
  description: 'list your sessions',
  examples: ['corral session ls', 'corral session ls --json | jq -r \'.[] | select(.state == "ready") | .id\''],
});
export const sessionShowCommand = command({
  name: 'show <id>',
  description: 'state, history, command latency and error rate, peak memory and CPU',
  examples: ['corral session show 3f2a', 'corral session show 3f2a --json | jq .summary'],
});
export const sessionPauseCommand = command({ name: 'pause <id>', description: 'freeze every process of a session', examples: ['corral session pause 3f2a'] });
export const sessionResumeCommand = command({ name: 'resume <id>', description: 'thaw a paused session (a command resumes it too)', examples: ['corral session resume 3f2a'] });
export const sessionStopCommand = command({
  name: 'stop <id>',
  description: 'remove the container; record, workspace and branch stay for diff and apply',
  examples: ['corral session stop 3f2a && corral diff 3f2a'],
});
export const sessionRmCommand = command({
  name: 'rm <id>',
  description: 'remove a session: container, workspace and branch (the record stays unless --purge)',
  options: { purge: flag('--purge', 'also delete its record, events and command history') },
  examples: ['corral session rm 3f2a', 'corral session rm 3f2a --purge'],
});

export const diffCommand = command({
  name: 'diff <id>',
  description: 'everything a session changed against its base: commits, edits, new files',
  options: { stat: flag('--stat', 'files and line counts only') },
  examples: ['corral diff 3f2a', 'corral diff 3f2a --stat', 'corral diff 3f2a | less -R'],
});
export const applyCommand = command({
  name: 'apply <id>',
  description: "bring a session's changes onto your current branch (refused, changing nothing, on conflict)",
  options: { commit: flag('--commit', 'as one commit (default)'), patch: flag('--patch', 'as changes in your working tree') },
  examples: ['corral diff 3f2a --stat && corral apply 3f2a', 'corral apply 3f2a --patch'],
});

export const execCommand = command({
  name: 'exec <id> <command...>',
  description: 'run a command in a session; exits with its status',
  options: { timeout: option('--timeout <seconds>', 'kill the command after this long (default 1800)') },
  examples: ['corral exec 3f2a -- ls -la', "corral exec 3f2a -- 'cd src && make test'", 'corral exec 3f2a --timeout 10 -- sleep 60'],
});
export const portCommand = command({
  name: 'port <id> [port]',
  description: "reach a port of the session's jail from this machine (127.0.0.1, through the daemon; the jail stays offline); without a port: the forwards",
  examples: ['corral port 3f2a 5173', 'curl http://$(corral port 3f2a 5173)/', 'corral port 3f2a --json'],
});
export const attachCommand = command({
  name: 'attach <id>',
  description: 'open an interactive shell in a session (detach with Ctrl-P Ctrl-Q)',
  examples: ['corral attach 3f2a'],
});

export const usageCommand = command({
  name: 'usage',
  description: 'tokens and cost from the ledger, with totals and a breakdown (replay and estimated calls marked)',
  options: {
    since: option('--since <when>', '7d, 24h, 30m or a date (default 30d)'),
    by: option('--by <group>', 'day, model, provider, user, session, persona or task (default day)', {
      parse: oneOf(USAGE_GROUPS, (by) => new CliError(`cannot group by ${by}`, `use --by ${USAGE_GROUPS.join('|')}`, ExitCode.Usage)),
    }),
    all: flag('--all', "everyone's usage (the daemon's owner only)"),
  },
  examples: ['corral usage --since 7d', 'corral usage --by model --json | jq .total.costUsd'],
});
export const usageAlertsCommand = command({
  name: 'alerts',
  description: 'anomalies in your usage (spend spikes, budgets on course to be exceeded, model switches, failing commands)',
  options: {
    ack: option('--ack <id>', 'acknowledge an alert: it is not raised again'),
    acked: flag('--acked', 'list acknowledged alerts too'),
    all: flag('--all', "everyone's alerts (the daemon's owner only)"),
  },
  examples: ['corral usage alerts', 'corral usage alerts --ack 3', 'corral usage alerts --json | jq ".alerts[].evidence"'],
});
export const usageForecastCommand = command({
  name: 'forecast',
  description: "this month's spend so far, its forecast with a 90% interval, and the burn rate",
  options: { all: flag('--all', "everyone's spend (the daemon's owner only)") },
  examples: ['corral usage forecast', 'corral usage forecast --json | jq .projectedUsd'],
});
export const usageReportCommand = command({
  name: 'report',
  description: 'the monthly review: spend, tokens by kind, infrastructure, top tasks and sessions, alerts, forecast against actual',
  options: {
    month: option('--month <YYYY-MM>', 'the month (default: last month)'),
    format: option('--format <format>', 'md, csv or json', { default: 'md' }),
    all: flag('--all', "everyone's usage (the daemon's owner only)"),
  },
  examples: ['corral usage report --month 2026-11 > review.md', 'corral usage report --month 2026-11 --format csv'],
});
export const usageImportCommand = command({
  name: 'import [path]',
  description: "add Claude Code's or Codex CLI's local session logs to your ledger, priced (a second import adds nothing)",
  options: { from: option('--from <tool>', 'claude-code or codex') },
  examples: ['corral usage import --from claude-code', 'corral usage import --from codex ~/.codex/sessions'],
});
export const usageExportCommand = command({
  name: 'export',
  description: "every ledger row (Corral's own and imported), as CSV or JSON lines on stdout",
  options: {
    format: option('--format <format>', 'csv or jsonl', {
      default: 'csv',
      parse: oneOf(['csv', 'jsonl'], (format) => new CliError(`unknown --format ${format}`, 'use --format csv or jsonl', ExitCode.Usage)),
    }),
    all: flag('--all', "everyone's rows (the daemon's owner only)"),
  },
  examples: ['corral usage export > ledger.csv', 'corral usage export --format jsonl | jq .costUsd'],
});

export const authGrantCommand = command({
  name: 'grant <user> <dirs...>',
  description: 'let USER start sessions over these folders and use the task boards in them',
  examples: ['corral auth grant bob ~/projects/shop', 'corral auth grant bob . ../lib'],
});
export const authRevokeCommand = command({
  name: 'revoke <user> [dirs...]',
  description: "take back those folders, or all of USER's (running sessions stay; their boards go quiet)",
  examples: ['corral auth revoke bob ~/projects/shop', 'corral auth revoke bob'],
});
export const authLsCommand = command({
  name: 'ls',
  description: 'list the grants, by user and folder',
  examples: ['corral auth ls', 'corral auth ls --json | jq -r ".grants[].dir"'],
});
export const authIssueCommand = command({
  name: 'issue <user>',
  description: 'print a new token for USER (shown once); they connect with CORRAL_TOKEN set to it',
  examples: ['corral auth issue bob', 'CORRAL_TOKEN=$(corral auth issue bob) corral session ls'],
});

export const webCommand = command({
  name: 'web',
  description: 'the web app in your browser (sessions, task board, usage): served by the daemon on 127.0.0.1, with a one-time sign-in link',
  options: {
    port: option('--port <port>', 'port on 127.0.0.1 (default 7780, else a free one; 0: any free port)', {
      parse: (text) => {
        const port = Number(text);
        if (!Number.isInteger(port) || port < 0 || port > 65535)
          throw new CliError(`--port ${text} is not a port`, 'give a number from 1 to 65535, or 0 for any free port', ExitCode.Usage);
        return port;
      },
    }),
    open: flag('--open', 'open the sign-in link in your browser'),
  },
  examples: ['corral web --open', 'corral web --port 8080 --json | jq -r .loginUrl'],
});

const boardOption = option('--board <file>', 'another board (default: docs/TASKS.md of the repository you are in)');
/** Every status a task can be listed with: Corral's own, and `other` (words the board uses that Corral does not know). */
export const LISTED_STATUSES = [...TASK_STATUSES, 'other'] as const;

export const tasksLsCommand = command({
  name: 'ls',
  description: 'list the tasks, as the board says them',
  options: {
    board: boardOption,
    status: option('--status <status>', 'only todo, in_progress, review, blocked, done or other (a status in words Corral does not know)', {
      parse: oneOf(
        LISTED_STATUSES,
        (status) => new CliError(`unknown status ${status}`, `use one of ${LISTED_STATUSES.join(', ')}`, ExitCode.Usage),
        (status) => status.replace(' ', '_').replace('-', '_'),
      ),
    }),
    assignee: option('--assignee <user>', 'only tasks assigned to this @user'),
  },
  examples: ['corral tasks ls', 'corral tasks ls --status todo --json | jq -r ".tasks[].id"'],
});
export const tasksNextCommand = command({
  name: 'next',
  description: 'the first ready task: todo, every dependency done, unassigned or yours (exit 4 when none is)',
  options: { board: boardOption },
  examples: ['corral tasks next', 'corral tasks next --json | jq -r .task.id'],
});
export const tasksShowCommand = command({
  name: 'show <id>',
  description: 'one task: status, assignee, subtasks and its lines on the board',
  options: { board: boardOption },
  examples: ['corral tasks show T-12'],
});
export const tasksStartCommand = command({
  name: 'start <id>',
  description: 'assign it to you and mark it in progress',
  options: { board: boardOption },
  examples: ['corral tasks start T-12'],
});
export const tasksNoteCommand = command({
  name: 'note <id> <text...>',
  description: 'add a dated progress note under the task',
  options: { board: boardOption },
  examples: ['corral tasks note T-12 "ran the tests, 2 failing"'],
});
export const tasksDoneCommand = command({
  name: 'done <id>',
  description: 'mark it done',
  options: { note: option('--note <text>', 'with a closing note'), board: boardOption },
  examples: ['corral tasks done T-12', 'corral tasks done T-12 --note "merged in #40"'],
});
export const tasksBlockCommand = command({
  name: 'block <id>',
  description: 'mark it blocked, with the reason as a note',
  options: { reason: option('--reason <text>', 'why it is blocked'), board: boardOption },
  examples: ['corral tasks block T-12 --reason "waiting for the API key"'],
});
export const tasksHandoffCommand = command({
  name: 'handoff <id>',
  description: 'reassign it, with a hand-off note',
  options: { to: option('--to <user>', 'who takes it over'), note: option('--note <text>', 'what they need to know'), board: boardOption },
  examples: ['corral tasks handoff T-12 --to bob --note "tests pass; docs left"'],
});
export const tasksAddCommand = command({
  name: 'add <text...>',
  description: 'add a task to the Todo section (give it an id: T-13 …)',
  options: { board: boardOption },
  examples: ['corral tasks add T-13 Write the release notes'],
});
export const tasksInitCommand = command({
  name: 'init',
  description: 'write a starter docs/TASKS.md (refused when one exists)',
  options: { board: boardOption },
  examples: ['corral tasks init', 'corral tasks init --board planning/BOARD.md'],
});

export const runCommand = command({
  name: 'run',
  description: 'run the coding agent on a goal in a jailed session; its steps print as they happen (Ctrl-C stops it)',
  options: {
    prompt: option('--prompt <text>', 'what to do (with --task: extra instructions)'),
    task: option('--task <id>', 'work on this task of the board: claimed, noted as it goes, done (or review) at the end'),
    board: option('--board <file>', 'the board holding --task (default docs/TASKS.md of the repository)'),
    repo: option('--repo <dir>', 'repository for a new session (default: the one you are in)'),
    session: option('--session <id>', 'work in this session instead of a new one'),
    image: option('--image <image>', 'image for a new session'),
    provider: option('--provider <name>', 'openai, anthropic, replay, or one from config.json'),
    model: option('--model <model>', "the provider's model (default from config.json)"),
    budget: option('--budget <usd>', "this run's spending limit in US dollars"),
    maxSteps: option('--max-steps <n>', 'stop after this many model calls (default 50)'),
    timeout: option('--timeout <seconds>', 'stop after this long (default 1800)'),
    record: option('--record <file>', "write the model's turns to FILE, to replay later"),
    transcript: option('--transcript <file>', 'play back a recorded run (implies --provider replay)'),
    persona: option('--persona <name>', 'a label for the ledger (who or what the agent acts as)'),
    resume: option('--resume <run>', 'continue an interrupted run from its last completed step, in its session'),
    list: flag('--list', 'list your runs (interrupted ones can be resumed)'),
    next: flag('--next', "work on the board's first ready task (todo, dependencies done, unassigned or yours), claimed atomically"),
    chain: option('--chain <n>', 'with --next: go on with the next ready task after each finished run, up to N runs (--budget is then for them all)'),
  },
  examples: [
    'corral run --prompt "make the tests pass" --budget 0.50',
    'corral run --task T-12',
    'corral run --session 3f2a --provider anthropic --model claude-sonnet-4-5 --prompt "add a --verbose flag"',
    'corral run --prompt "fix the bug" --record fix.jsonl && corral run --transcript fix.jsonl --prompt "fix the bug"',
    'corral run --list && corral run --resume 9c1e4a7b2d',
    'corral run --next --chain 3 --budget 2',
  ],
});

export const lspCommand = command({
  name: 'lsp',
  description: 'the task-board language server on stdin/stdout for any LSP client: diagnostics, code lenses, hover, completion, outline, code actions',
  options: {
    stdio: flag('--stdio', 'speak LSP on stdin and stdout (the only transport)'),
    // vscode-languageclient adds it to the command line of every server it starts; not used.
    clientProcessId: option('--clientProcessId <pid>', "the editor's process id, as VS Code's LSP client passes it"),
  },
  examples: ['corral lsp --stdio', "nvim: vim.lsp.start({ name = 'corral', cmd = { 'corral', 'lsp', '--stdio' } })"],
});

/** The command table: every command, its flags and help, and the module that implements it. */
export function registerCommands(program: Command, bind: Bind): void {
  bind(program, doctorCommand, async () => (await import('./commands/doctor')).doctor);

  const daemon = program.command('daemon').description('start, stop or inspect the background daemon');
  bind(daemon, daemonStartCommand, async () => (await import('./commands/daemon')).start);
  bind(daemon, daemonStopCommand, async () => (await import('./commands/daemon')).stop);
  bind(daemon, daemonStatusCommand, async () => (await import('./commands/daemon')).status);

  const image = program.command('image').description('build and list workspace images (no registry needed)');
  bind(image, imageBuildCommand, async () => (await import('./commands/image')).build);
  bind(image, imageLsCommand, async () => (await import('./commands/image')).ls);
  bind(image, imagePullCommand, async () => (await import('./commands/env')).pull);

  const env = program.command('env').description("the repository's environment: its toolchain and dependencies, built once with network, offline in sessions");
  bind(env, envShowCommand, async () => (await import('./commands/env')).show);
  bind(env, envBuildCommand, async () => (await import('./commands/env')).build);
  bind(env, envLsCommand, async () => (await import('./commands/env')).ls);
  bind(env, envPruneCommand, async () => (await import('./commands/env')).prune);

  const session = program.command('session').description('start, list and remove jailed sessions');
  bind(session, sessionStartCommand, async () => (await import('./commands/session')).start);
  bind(session, sessionLsCommand, async () => (await import('./commands/session')).ls);
  bind(session, sessionShowCommand, async () => (await import('./commands/session')).show);
  bind(session, sessionPauseCommand, async () => (await import('./commands/session')).pause);
  bind(session, sessionResumeCommand, async () => (await import('./commands/session')).resume);
  bind(session, sessionStopCommand, async () => (await import('./commands/session')).stop);
  bind(session, sessionRmCommand, async () => (await import('./commands/session')).rm);

  bind(program, diffCommand, async () => (await import('./commands/diff')).diff);
  bind(program, applyCommand, async () => (await import('./commands/diff')).apply);

  bind(program, execCommand, async () => (await import('./commands/exec')).exec);

  bind(program, portCommand, async () => (await import('./commands/port')).port);

  bind(program, attachCommand, async () => (await import('./commands/attach')).attach);

  bind(program, runCommand, async () => (await import('./commands/run')).run);

  const tasks = program.command('tasks').description("read and update the repository's task board (docs/TASKS.md), surgically");
  bind(tasks, tasksLsCommand, async () => (await import('./commands/tasks')).ls);
  bind(tasks, tasksNextCommand, async () => (await import('./commands/tasks')).next);
  bind(tasks, tasksShowCommand, async () => (await import('./commands/tasks')).show);
  bind(tasks, tasksStartCommand, async () => (await import('./commands/tasks')).start);
  bind(tasks, tasksNoteCommand, async () => (await import('./commands/tasks')).note);
  bind(tasks, tasksDoneCommand, async () => (await import('./commands/tasks')).done);
  bind(tasks, tasksBlockCommand, async () => (await import('./commands/tasks')).block);
  bind(tasks, tasksHandoffCommand, async () => (await import('./commands/tasks')).handoff);
  bind(tasks, tasksAddCommand, async () => (await import('./commands/tasks')).add);
  bind(tasks, tasksInitCommand, async () => (await import('./commands/tasks')).init);

  const usage = bind(program, usageCommand, async () => (await import('./commands/usage')).usage);
  bind(usage, usageAlertsCommand, async () => (await import('./commands/usageAlerts')).alerts);
  bind(usage, usageForecastCommand, async () => (await import('./commands/usageForecast')).forecast);
  bind(usage, usageReportCommand, async () => (await import('./commands/usageReport')).report);
  bind(usage, usageImportCommand, async () => (await import('./commands/usageImport')).importUsage);
  bind(usage, usageExportCommand, async () => (await import('./commands/usageExport')).exportUsage);

  const auth = program.command('auth').description("who may use this daemon: tokens for other users and the folders granted to them (the daemon's owner only)");
  bind(auth, authGrantCommand, async () => (await import('./commands/auth')).grant);
  bind(auth, authRevokeCommand, async () => (await import('./commands/auth')).revoke);
  bind(auth, authLsCommand, async () => (await import('./commands/auth')).ls);
  bind(auth, authIssueCommand, async () => (await import('./commands/auth')).issue);

  bind(program, webCommand, async () => (await import('./commands/web')).web);

  bind(program, lspCommand, async () => (await import('./commands/lsp')).lsp);

  bind(program, completionCommand, async () => (await import('./commands/completion')).completion);
}
