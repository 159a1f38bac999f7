import * as fs from 'node:fs';
import * as z from 'zod/mini';
import { CorralError } from '../errors';
import { ErrorCode } from '../protocol';
import type { LlmPort, ModelEvents, ModelRequest, ModelTurn } from './types';

/**
 * Transcripts: a JSON-lines file, a header line, then one line per model turn as it came
 * (text, tool calls, stop reason, usage). `--record FILE` writes one during any run;
 * provider `replay` plays it back against a real jail, for offline demos and regression runs.
 */
const Header = z.object({ corralTranscript: z.literal(1), provider: z.string(), model: z.string(), recordedAt: z.string(), goal: z.string() });
const Turn = z.object({
  turn: z.object({
    text: z.string(),
    toolCalls: z.array(z.object({ id: z.string(), name: z.string(), arguments: z.string() })),
    stopReason: z.enum(['end', 'tool_use', 'max_tokens', 'other']),
    usage: z.nullable(z.object({ inputTokens: z.number(), outputTokens: z.number(), cacheReadTokens: z.number(), cacheWriteTokens: z.number(), reasoningTokens: z.number() })),
    model: z.string(),
  }),
  latencyMs: z.number(),
});
export type TranscriptHeader = z.infer<typeof Header>;

export class ReplayProvider implements LlmPort {
  readonly provider = 'replay';
  readonly replay = true;
  private next = 0;

  private constructor(
    readonly header: TranscriptHeader,
    private readonly turns: ModelTurn[],
  ) {}

  static load(file: string): ReplayProvider {
    let lines: string[];
    try {
      lines = fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '');
    } catch (error) {
      throw new CorralError(ErrorCode.NotFound, `cannot read the transcript ${file}: ${(error as Error).message}`, 'give the path of a file written by `corral run --record FILE`');
    }
    const parse = <T>(schema: z.ZodMiniType<T>, line: string | undefined, n: number): T => {
      let value: unknown;
      try {
        value = JSON.parse(line ?? '');
      } catch {
        value = undefined;
      }
      const parsed = schema.safeParse(value);
      if (!parsed.success) throw new CorralError(ErrorCode.InvalidParams, `${file} line ${n} is not a Corral transcript line`, 'give a file written by `corral run --record FILE`');
      return parsed.data;
    };
    const header = parse(Header, lines[0], 1);
    return new ReplayProvider(
      header,
      lines.slice(1).map((line, i) => parse(Turn, line, i + 2).turn),
    );
  }

  complete(request: ModelRequest, events: ModelEvents = {}): Promise<ModelTurn> {
    if (request.signal?.aborted) return Promise.reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
    const turn = this.turns[this.next++];
    if (turn === undefined) {
      return Promise.reject(
        new CorralError(
          ErrorCode.ProviderFailed,
          `the transcript has ${this.turns.length} turns and the run asked for turn ${this.next}`,
          'the workspace differs from the recording, or the run went further than it; record it again',
        ),
      );
    }
    if (turn.text) events.text?.(turn.text);
    return Promise.resolve(turn);
  }
}

/** Wraps a provider and appends each turn it returns to a transcript file as it comes. */
export class RecordingProvider implements LlmPort {
  private readonly fd: number;

  constructor(
    private readonly inner: LlmPort,
    file: string,
    header: Omit<TranscriptHeader, 'corralTranscript' | 'recordedAt'>,
  ) {
    try {
      this.fd = fs.openSync(file, 'w', 0o600);
    } catch (error) {
      throw new CorralError(ErrorCode.InvalidParams, `cannot write the transcript ${file}: ${(error as Error).message}`, 'give a path in a folder you can write');
    }
    fs.writeSync(this.fd, `${JSON.stringify({ corralTranscript: 1, recordedAt: new Date().toISOString(), ...header })}\n`);
  }

  get provider(): string {
    return this.inner.provider;
  }
  get replay(): boolean {
    return this.inner.replay;
  }

  async complete(request: ModelRequest, events?: ModelEvents): Promise<ModelTurn> {
    const started = performance.now();
    const turn = await this.inner.complete(request, events);
    fs.writeSync(this.fd, `${JSON.stringify({ turn, latencyMs: Math.round(performance.now() - started) })}\n`);
    return turn;
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}
