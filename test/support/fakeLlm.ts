import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local HTTP server speaking the real wire formats of OpenAI Chat Completions and Anthropic
 * Messages (SSE streaming, tool calls, usage, error bodies, retry-after), so the official SDKs
 * talk to it through `baseURL` exactly as they would to the provider. The network edge we cannot
 * reach from here is the only thing faked.
 */

/** Usage as the wire carries it: OpenAI's `input` includes `cacheRead`; Anthropic's does not. */
export interface WireUsage {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
  reasoning?: number;
}

export type FakeTurn =
  | {
      text?: string;
      toolCalls?: { name: string; arguments: unknown }[];
      usage?: WireUsage;
      /** End the stream (cleanly) before the usage arrives. */
      cutBeforeUsage?: boolean;
      /** Stop reason to report instead of the natural one. */
      stop?: 'max_tokens';
    }
  | { error: { status: number; type: string; message: string; code?: string; retryAfter?: string } };

export interface SeenRequest {
  api: 'openai' | 'anthropic';
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
  at: number;
}

export type Script = FakeTurn[] | ((request: SeenRequest, index: number) => FakeTurn);

export class FakeLlm {
  readonly requests: SeenRequest[] = [];
  private turn = 0;
  private constructor(
    private readonly server: http.Server,
    private script: Script,
  ) {}

  static async start(script: Script = []): Promise<FakeLlm> {
    const server = http.createServer();
    const fake = new FakeLlm(server, script);
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => void fake.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  /** For `openai`: its paths start with /v1. */
  get openaiBaseURL(): string {
    return `${this.url}/v1`;
  }
  /** For `@anthropic-ai/sdk`: it appends /v1/messages itself. */
  get anthropicBaseURL(): string {
    return this.url;
  }

  /** Replaces the script and starts counting turns from the first. */
  play(script: Script): void {
    this.script = script;
    this.turn = 0;
    this.requests.length = 0;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of req) raw += String(chunk);
    const api = req.url?.endsWith('/chat/completions') ? 'openai' : req.url?.endsWith('/messages') ? 'anthropic' : undefined;
    if (api === undefined || req.method !== 'POST') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }));
      return;
    }
    const seen: SeenRequest = { api, path: req.url!, headers: req.headers, body: JSON.parse(raw) as Record<string, unknown>, at: Date.now() };
    this.requests.push(seen);
    const index = this.turn++;
    const turn = typeof this.script === 'function' ? this.script(seen, index) : this.script[index];
    if (turn === undefined) {
      sendError(res, api, { status: 500, type: 'server_error', message: `the fake has no turn ${index}` });
      return;
    }
    if ('error' in turn) return sendError(res, api, turn.error);
    const model = String(seen.body.model);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    if (api === 'openai') streamOpenAi(res, model, turn);
    else streamAnthropic(res, model, turn);
    res.end();
  }
}

function sendError(res: http.ServerResponse, api: 'openai' | 'anthropic', error: { status: number; type: string; message: string; code?: string; retryAfter?: string }): void {
  const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json' };
  if (error.retryAfter !== undefined) headers['retry-after'] = error.retryAfter;
  // 4xx other than 408/409/429 are final; tell the SDKs not to retry 5xx faster than the test wants.
  const body =
    api === 'openai'
      ? { error: { message: error.message, type: error.type, param: null, code: error.code ?? null } }
      : { type: 'error', error: { type: error.type, message: error.message } };
  res.writeHead(error.status, headers).end(JSON.stringify(body));
}

type Turn = Exclude<FakeTurn, { error: unknown }>;

function streamOpenAi(res: http.ServerResponse, model: string, turn: Turn): void {
  const id = `chatcmpl-${Math.random().toString(36).slice(2)}`;
  const created = Math.floor(Date.now() / 1000);
  const chunk = (delta: Record<string, unknown>, finish: string | null = null): void => {
    res.write(
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], usage: null })}\n\n`,
    );
  };
  chunk({ role: 'assistant', content: '' });
  // Text in a few pieces, as a real stream sends it.
  for (const piece of (turn.text ?? '').match(/[\s\S]{1,16}/g) ?? []) chunk({ content: piece });
  (turn.toolCalls ?? []).forEach((call, index) => {
    const args = JSON.stringify(call.arguments);
    chunk({ tool_calls: [{ index, id: `call_${index}_${Math.random().toString(36).slice(2, 8)}`, type: 'function', function: { name: call.name, arguments: '' } }] });
    for (const piece of args.match(/[\s\S]{1,24}/g) ?? []) chunk({ tool_calls: [{ index, function: { arguments: piece } }] });
  });
  chunk({}, turn.stop === 'max_tokens' ? 'length' : turn.toolCalls?.length ? 'tool_calls' : 'stop');
  if (turn.cutBeforeUsage) return;
  const u = turn.usage ?? { input: 10, output: 5 };
  res.write(
    `data: ${JSON.stringify({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      choices: [],
      usage: {
        prompt_tokens: u.input,
        completion_tokens: u.output,
        total_tokens: u.input + u.output,
        prompt_tokens_details: { cached_tokens: u.cacheRead ?? 0, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: u.reasoning ?? 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
      },
    })}\n\n`,
  );
  res.write('data: [DONE]\n\n');
}

function streamAnthropic(res: http.ServerResponse, model: string, turn: Turn): void {
  const event = (type: string, data: Record<string, unknown>): void => {
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  };
  const u = turn.usage ?? { input: 10, output: 5 };
  const started = { input_tokens: u.input, output_tokens: 1, cache_creation_input_tokens: u.cacheWrite ?? 0, cache_read_input_tokens: u.cacheRead ?? 0 };
  event('message_start', {
    message: { id: `msg_${Math.random().toString(36).slice(2)}`, type: 'message', role: 'assistant', content: [], model, stop_reason: null, stop_sequence: null, usage: started },
  });
  let index = 0;
  if (turn.text) {
    event('content_block_start', { index, content_block: { type: 'text', text: '' } });
    for (const piece of turn.text.match(/[\s\S]{1,16}/g) ?? []) event('content_block_delta', { index, delta: { type: 'text_delta', text: piece } });
    event('content_block_stop', { index });
    index++;
  }
  for (const call of turn.toolCalls ?? []) {
    event('content_block_start', { index, content_block: { type: 'tool_use', id: `toolu_${Math.random().toString(36).slice(2, 10)}`, name: call.name, input: {} } });
    for (const piece of JSON.stringify(call.arguments).match(/[\s\S]{1,24}/g) ?? [])
      event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: piece } });
    event('content_block_stop', { index });
    index++;
  }
  if (turn.cutBeforeUsage) return;
  const stop = turn.stop === 'max_tokens' ? 'max_tokens' : turn.toolCalls?.length ? 'tool_use' : 'end_turn';
  event('message_delta', { delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: u.output } });
  event('message_stop', {});
}
