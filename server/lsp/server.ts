import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CodeActionKind,
  CompletionItemKind,
  createConnection,
  DiagnosticSeverity,
  ErrorCodes,
  MessageType,
  ResponseError,
  ShowMessageNotification,
  SymbolKind,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type Diagnostic,
  type DocumentSymbol,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { ParseOptions } from '../tasks/board';
import type { FactsSource } from './daemonFacts';
import { BoardEdit, LspCommands, type TaskAction } from './lspExt';
import { BoardEditError } from './service/edits';
import { NO_FACTS, type BoardFacts } from './service/facts';
import { BoardLanguageService } from './service/service';
import type { BoardDiagnostic, BoardSymbol, TextChange } from './service/types';

/** Diagnostics wait for a pause in typing this long: computed off the typing path, once per burst. */
export const DIAGNOSTICS_DELAY_MS = 150;

export interface BoardServerOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** Connects to the daemon (or says it cannot); called once, after `initialize`. */
  facts: () => Promise<FactsSource | { unavailable: string }>;
  parse?: ParseOptions;
}

/** `initializationOptions` a client may send. */
interface InitOptions {
  /** Board files by path suffix (`docs/TASKS.md`, `BACKLOG.md`); default: TASKS.md. */
  boardFiles?: string[];
}

const SEVERITY: Record<BoardDiagnostic['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/**
 * The board language server: a thin LSP host around BoardLanguageService. Documents sync
 * incrementally; diagnostics are computed after a pause in typing and published with the
 * version they were computed for; what only the daemon knows comes from `facts`.
 */
export function startBoardServer(options: BoardServerOptions): Connection {
  const connection = createConnection(options.input, options.output);
  const documents = new TextDocuments(TextDocument);
  const service = new BoardLanguageService({ ...(options.parse ? { parse: options.parse } : {}) });
  let boardFiles = ['TASKS.md'];
  let source: FactsSource | undefined;
  const timers = new Map<string, NodeJS.Timeout>();

  // Notifications, not requests: nothing waits for the user to dismiss them.
  const say = (type: MessageType, message: string): void => void connection.sendNotification(ShowMessageNotification.type, { type, message });
  const facts = (): BoardFacts => source?.current() ?? NO_FACTS;
  const isBoard = (uri: string): boolean => {
    const file = uri.startsWith('file:') ? fileURLToPath(uri) : uri;
    return boardFiles.some((name) => file === name || file.endsWith(`${path.sep}${name}`) || file.endsWith(`/${name}`));
  };
  const board = (uri: string): TextDocument | undefined => {
    const doc = documents.get(uri);
    return doc && isBoard(uri) ? doc : undefined;
  };

  const publish = (uri: string): void => {
    timers.delete(uri);
    const doc = board(uri);
    if (!doc) return;
    const diagnostics: Diagnostic[] = service.diagnostics(doc, facts()).map((d) => ({
      range: d.range,
      severity: SEVERITY[d.severity],
      code: d.code,
      source: 'corral',
      message: d.message,
      ...(d.related ? { relatedInformation: d.related.map((r) => ({ location: { uri, range: r.range }, message: r.message })) } : {}),
    }));
    void connection.sendDiagnostics({ uri, version: doc.version, diagnostics });
  };
  const schedule = (uri: string, delay: number): void => {
    clearTimeout(timers.get(uri));
    timers.set(
      uri,
      setTimeout(() => publish(uri), delay),
    );
  };
  /** New facts from the daemon: diagnostics and lenses of every open board again. */
  const refreshFacts = (): void => {
    void source?.refresh().then(
      (changed) => {
        if (!changed) return;
        for (const doc of documents.all()) if (isBoard(doc.uri)) schedule(doc.uri, 0);
        void connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
      },
      (error: unknown) => connection.console.warn(`corral: could not read the daemon's sessions and runs: ${(error as Error).message}`),
    );
  };

  connection.onInitialize((params) => {
    const init = (params.initializationOptions ?? {}) as InitOptions;
    if (Array.isArray(init.boardFiles) && init.boardFiles.every((f) => typeof f === 'string') && init.boardFiles.length > 0)
      boardFiles = init.boardFiles.map((f) => f.split('/').join(path.sep));
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        codeLensProvider: { resolveProvider: false },
        hoverProvider: true,
        completionProvider: { triggerCharacters: ['@', ':', '|', ' '] },
        documentSymbolProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.Refactor] },
        executeCommandProvider: { commands: [...LspCommands] },
      },
      serverInfo: { name: 'corral-board' },
    };
  });
  connection.onInitialized(() => {
    void options.facts().then((found) => {
      if ('unavailable' in found) {
        // Said once: the local features work without a daemon.
        say(MessageType.Info, `Corral board: ${found.unavailable}; runs, costs and sessions are not shown (the board's own checks work)`);
        return;
      }
      source = found;
      refreshFacts();
    });
  });

  documents.onDidOpen((event) => {
    if (isBoard(event.document.uri)) schedule(event.document.uri, 0);
  });
  documents.onDidChangeContent((event) => {
    if (isBoard(event.document.uri)) schedule(event.document.uri, DIAGNOSTICS_DELAY_MS);
  });
  documents.onDidClose((event) => {
    clearTimeout(timers.get(event.document.uri));
    timers.delete(event.document.uri);
    service.close(event.document.uri);
    void connection.sendDiagnostics({ uri: event.document.uri, diagnostics: [] });
  });

  connection.onCodeLens((params) => {
    const doc = board(params.textDocument.uri);
    if (!doc) return [];
    refreshFacts();
    return service
      .lenses(doc, facts())
      .map((l) => ({ range: l.range, command: { title: l.title, command: l.command?.id ?? '', ...(l.command ? { arguments: l.command.arguments } : {}) } }));
  });
  connection.onHover((params) => {
    const doc = board(params.textDocument.uri);
    const hover = doc ? service.hover(doc, params.position, facts()) : undefined;
    return hover ? { contents: { kind: 'markdown', value: hover.markdown }, range: hover.range } : null;
  });
  connection.onCompletion((params) => {
    const doc = board(params.textDocument.uri);
    if (!doc) return [];
    const kinds = { user: CompletionItemKind.Reference, status: CompletionItemKind.EnumMember, id: CompletionItemKind.Constant } as const;
    return service
      .completions(doc, params.position, facts())
      .map((c, i) => ({ label: c.label, kind: kinds[c.kind], detail: c.detail, sortText: String(i).padStart(5, '0'), textEdit: { range: c.range, newText: c.insertText } }));
  });
  connection.onDocumentSymbol((params) => {
    const doc = board(params.textDocument.uri);
    return doc ? service.symbols(doc).map(toSymbol) : [];
  });
  connection.onCodeAction((params) => {
    const doc = board(params.textDocument.uri);
    if (!doc) return [];
    const user = facts().user ?? 'me';
    return service.actions(doc, params.range, user).map((a) => ({
      title: a.title,
      kind: a.kind === 'quickfix' ? CodeActionKind.QuickFix : CodeActionKind.Refactor,
      ...(a.fixes ? { diagnostics: params.context.diagnostics.filter((d) => typeof d.code === 'string' && a.fixes!.includes(d.code)) } : {}),
      edit: { documentChanges: [{ textDocument: { uri: doc.uri, version: doc.version }, edits: a.changes }] },
    }));
  });

  const editOf = (uri: string, id: string, action: TaskAction): { uri: string; version: number; edits: TextChange[] } | null => {
    const doc = board(uri);
    if (!doc) return null;
    try {
      return { uri, version: doc.version, edits: service.edit(doc, id, action, facts().user ?? 'me') };
    } catch (error) {
      if (error instanceof BoardEditError) throw new ResponseError(ErrorCodes.InvalidRequest, error.message);
      throw error;
    }
  };
  connection.onRequest(BoardEdit, (params) => editOf(params.uri, params.id, params.action));
  connection.onExecuteCommand(async (params) => {
    const [uri, id, action] = (params.arguments ?? []) as [string, string, TaskAction | undefined];
    if (typeof uri !== 'string' || typeof id !== 'string') throw new ResponseError(ErrorCodes.InvalidParams, `${params.command} needs a board URI and a task id`);
    if (params.command === 'corral.lsp.edit') {
      const edit = editOf(uri, id, action ?? { action: 'done' });
      if (!edit) throw new ResponseError(ErrorCodes.InvalidRequest, `${uri} is not an open board`);
      // The open document is edited, never the file under the user's typing.
      await connection.workspace.applyEdit({
        label: `${id}: ${action?.action ?? 'done'}`,
        edit: { documentChanges: [{ textDocument: { uri: edit.uri, version: edit.version }, edits: edit.edits }] },
      });
      return null;
    }
    if (params.command === 'corral.lsp.runAgent') {
      if (!source) throw new ResponseError(ErrorCodes.InvalidRequest, 'no Corral daemon is running: start one with `corral daemon start`');
      const file = uri.startsWith('file:') ? fileURLToPath(uri) : uri;
      say(MessageType.Info, `Corral: the agent is working on ${id}`);
      void source.runAgent(file, id).then(
        (run) => say(MessageType.Info, `Corral: run ${run.runId} on ${id} ${run.outcome} after ${run.steps} steps${run.branch ? ` (branch ${run.branch})` : ''}`),
        (error: unknown) => say(MessageType.Error, `Corral: the run on ${id} failed: ${(error as Error).message}`),
      );
      return null;
    }
    throw new ResponseError(ErrorCodes.MethodNotFound, `unknown command ${params.command}`);
  });
  connection.onShutdown(() => {
    for (const timer of timers.values()) clearTimeout(timer);
    timers.clear();
    source?.dispose();
  });

  documents.listen(connection);
  connection.listen();
  return connection;
}

function toSymbol(s: BoardSymbol): DocumentSymbol {
  return {
    name: s.name,
    detail: s.detail,
    kind: s.kind === 'lane' ? SymbolKind.Namespace : SymbolKind.Object,
    range: s.range,
    selectionRange: s.selectionRange,
    children: s.children.map(toSymbol),
  };
}
