import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  ApplyWorkspaceEditRequest,
  CodeActionRequest,
  CodeLensRequest,
  CompletionRequest,
  createProtocolConnection,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DocumentSymbolRequest,
  ExecuteCommandRequest,
  ExitNotification,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  ShowMessageNotification,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type CodeAction,
  type CodeLens,
  type CompletionItem,
  type DocumentSymbol,
  type Hover,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type ShowMessageParams,
  type TextEdit,
} from 'vscode-languageserver-protocol/node';
import { startDaemon, type DaemonProcess } from '../support/daemon';
import { distCli, requireBuild, tempHome } from '../support/home';
import { until } from '../support/until';

/** `corral lsp --stdio` from a plain LSP client (vscode-languageserver-protocol), as Neovim or Helix would speak to it. */
const BOARD = [
  '# Board',
  '',
  '## Todo',
  '',
  '- [ ] T-1 Write the parser @ann',
  '- [ ] T-2 Document the CLI',
  '- [x] T-3 Release notes',
  '- [ ] T-2 Same id again',
  '',
  '## In progress',
  '',
  '- [ ] T-4 The web app @bob',
  '',
  '## Done',
  '',
  '- [x] T-5 The daemon',
  '',
  '### T-6 A heading task',
  '',
  'Status: Parked until spring',
  '',
].join('\n');

interface Client {
  connection: ProtocolConnection;
  child: ChildProcess;
  stderr(): string;
  diagnostics: PublishDiagnosticsParams[];
  messages: string[];
  applied: TextEdit[][];
  exited: Promise<number | null>;
}

function startClient(home: string): Client {
  requireBuild();
  const child = spawn(process.execPath, [distCli, 'lsp', '--stdio'], { env: { ...process.env, CORRAL_HOME: home }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const client: Client = { connection, child, stderr: () => stderr, diagnostics: [], messages: [], applied: [], exited };
  connection.onNotification(PublishDiagnosticsNotification.method, (p: PublishDiagnosticsParams) => void client.diagnostics.push(p));
  connection.onNotification(ShowMessageNotification.method, (p: ShowMessageParams) => void client.messages.push(p.message));
  connection.onRequest(ApplyWorkspaceEditRequest.type, (p) => {
    for (const change of p.edit.documentChanges ?? []) if ('edits' in change) client.applied.push(change.edits.filter((e): e is TextEdit => 'range' in e));
    return { applied: true };
  });
  connection.onRequest('workspace/codeLens/refresh', () => null);
  connection.listen();
  return client;
}

async function initialize(client: Client, root: string): Promise<void> {
  const result = await client.connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: pathToFileURL(root).href,
    capabilities: { workspace: { applyEdit: true, workspaceEdit: { documentChanges: true } } },
    initializationOptions: { boardFiles: ['docs/TASKS.md'] },
  });
  assert.equal(
    result.capabilities.textDocumentSync && typeof result.capabilities.textDocumentSync === 'object' ? result.capabilities.textDocumentSync.change : undefined,
    2,
    'incremental sync',
  );
  await client.connection.sendNotification(InitializedNotification.type, {});
}

/** Applies LSP text edits to a text (offsets by lines and UTF-16 characters), last first. */
function applyEdits(text: string, edits: TextEdit[]): string {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  const offset = (p: { line: number; character: number }): number => (starts[p.line] ?? text.length) + p.character;
  let out = text;
  for (const e of [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start))) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}

async function shutdown(client: Client): Promise<void> {
  await client.connection.sendRequest(ShutdownRequest.type);
  await client.connection.sendNotification(ExitNotification.type);
  assert.equal(await client.exited, 0, client.stderr());
  client.connection.dispose();
}

describe('corral lsp --stdio from a plain LSP client', function () {
  this.timeout(60_000);
  const { home, cleanup } = tempHome('lsp');
  const repo = path.join(home, 'repo');
  const file = path.join(repo, 'docs', 'TASKS.md');
  const uri = pathToFileURL(file).href;
  let client: Client | undefined;
  let daemon: DaemonProcess | undefined;

  before(() => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, BOARD);
  });
  after(async () => {
    if (client && client.child.exitCode === null) client.child.kill('SIGKILL');
    await daemon?.terminate();
    cleanup();
  });

  it('without a daemon: says so once, publishes diagnostics with the version, serves lenses, hover, completion, symbols and code actions, syncs edits incrementally', async () => {
    client = startClient(home);
    await initialize(client, repo);
    await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'markdown', version: 1, text: BOARD } });
    const first = await until(() => client!.diagnostics.find((d) => d.version === 1));
    const codes = first.diagnostics.map((d) => d.code);
    assert.deepEqual(codes.filter((c) => c === 'duplicate-id').length, 2, JSON.stringify(first.diagnostics));
    const duplicate = first.diagnostics.find((d) => d.code === 'duplicate-id' && d.range.start.line === 7)!;
    assert.equal(duplicate.relatedInformation?.[0]?.location.range.start.line, 5, 'the other line with the same id');
    assert.ok(codes.includes('unknown-status'), 'Parked is not a status word');
    assert.ok(
      first.diagnostics.some((d) => d.code === 'status-not-shown' && d.range.start.line === 6),
      'a done task in the Todo lane',
    );
    await until(() => client!.messages.find((m) => m.includes('no daemon answered')));
    assert.equal(client.messages.filter((m) => m.includes('no daemon')).length, 1);

    const lenses = (await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) as CodeLens[];
    assert.ok(lenses.some((l) => l.command?.title === '✓ Done' && l.range.start.line === 4));
    assert.ok(!lenses.some((l) => l.command?.title.includes('Run agent')), 'no agent without a daemon');

    const hover = (await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 4, character: 8 } })) as Hover;
    assert.match(JSON.stringify(hover.contents), /T-1.*Write the parser/);

    const at = { line: 5, character: '- [ ] T-2 Document the CLI'.length };
    await client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: at, end: at }, text: ' @' }],
    });
    const completions = (await client.connection.sendRequest(CompletionRequest.type, {
      textDocument: { uri },
      position: { line: 5, character: at.character + 2 },
    })) as CompletionItem[];
    assert.ok(
      completions.some((c) => c.label === '@ann'),
      JSON.stringify(completions),
    );

    const symbols = (await client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } })) as DocumentSymbol[];
    const lanes = symbols[0]!.children!.map((s) => s.name);
    assert.deepEqual(lanes, ['Todo', 'In progress', 'Done']);
    assert.ok(symbols[0]!.children![0]!.children!.some((s) => s.name === 'T-1 Write the parser @ann'));

    // Incremental change: the second T-2 becomes T-7; diagnostics for version 3 have no duplicate.
    await client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 3 },
      contentChanges: [{ range: { start: { line: 7, character: 8 }, end: { line: 7, character: 9 } }, text: '7' }],
    });
    const third = await until(() => client!.diagnostics.find((d) => d.version === 3));
    assert.ok(!third.diagnostics.some((d) => d.code === 'duplicate-id'), JSON.stringify(third.diagnostics));

    const actions = (await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: { start: { line: 4, character: 3 }, end: { line: 4, character: 3 } },
      context: { diagnostics: [] },
    })) as CodeAction[];
    // Done moves the task to the Done lane, its box checked: the board's own surgical edit.
    const text = BOARD.replace('T-2 Document the CLI', 'T-2 Document the CLI @').replace('T-2 Same id', 'T-7 Same id');
    const done = actions.find((a) => a.title === 'Mark T-1 done')!;
    const change = done.edit!.documentChanges![0]!;
    assert.ok('edits' in change);
    const moved = applyEdits(
      text,
      change.edits.filter((e): e is TextEdit => 'range' in e),
    );
    assert.equal(moved, text.replace('- [ ] T-1 Write the parser @ann\n', '').replace('- [x] T-5 The daemon\n', '- [x] T-5 The daemon\n- [x] T-1 Write the parser @ann\n'));
    assert.ok(actions.some((a) => a.title.startsWith('Move T-1 to "In progress"')));

    // A lens command edits the open document through the client, never the file.
    await client.connection.sendRequest(ExecuteCommandRequest.type, { command: 'corral.lsp.edit', arguments: [uri, 'T-1', { action: 'done' }] });
    assert.equal(applyEdits(text, client.applied.at(-1)!), moved);
    assert.equal(fs.readFileSync(file, 'utf8'), BOARD, 'the file on disk is untouched');
    await shutdown(client);
  });

  it('with a daemon: offers to run the agent on a task and never says the daemon is missing', async () => {
    daemon = await startDaemon(home);
    client = startClient(home);
    await initialize(client, repo);
    await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'markdown', version: 1, text: BOARD } });
    const lenses = await until(async () => {
      const found = (await client!.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) as CodeLens[];
      return found.some((l) => l.command?.title === '▶ Run agent') ? found : undefined;
    });
    assert.ok(lenses.some((l) => l.command?.command === 'corral.lsp.runAgent' && l.range.start.line === 4));
    await until(() => client!.diagnostics.find((d) => d.version === 1));
    assert.deepEqual(client.messages, []);
    await shutdown(client);
  });
});
