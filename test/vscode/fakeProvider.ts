// The local fake LLM provider for the extension's agent-run tests: a FakeLlm (the real OpenAI
// wire format over local HTTP) named `fake` in the test daemon's config.json, with a price so
// runs cost something the status bar can show. The config is read by the daemon at every run.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { homePaths, resolveHome } from '../../server/protocol/paths';
import { FakeLlm, type FakeTurn } from '../support/fakeLlm';

export const PROVIDER = 'fake';
export const MODEL = 'fake-coder';
/** $100 per million input tokens: a 1,000-token call costs $0.10. */
const PRICE = { inputPerMTok: 100, outputPerMTok: 100 };

export interface FakeProvider {
  llm: FakeLlm;
  /** Rewrites config.json with this daily budget (null: none), and a monthly one if given. */
  setDayBudget(dayUsd: number | null, monthUsd?: number): void;
  close(): Promise<void>;
}

export async function startFakeProvider(): Promise<FakeProvider> {
  const llm = await FakeLlm.start();
  const config = homePaths(resolveHome(process.env)).config;
  const before = fs.existsSync(config) ? fs.readFileSync(config, 'utf8') : undefined;
  const write = (dayUsd: number | null, monthUsd?: number): void => {
    fs.mkdirSync(path.dirname(config), { recursive: true });
    fs.writeFileSync(
      config,
      JSON.stringify({
        defaultProvider: PROVIDER,
        providers: { [PROVIDER]: { type: 'openai', baseURL: llm.openaiBaseURL, apiKey: 'sk-fake-vscode', model: MODEL, maxRetries: 0 } },
        prices: { [`${PROVIDER}/${MODEL}`]: PRICE },
        ...(dayUsd === null ? {} : { budgets: { dayUsd, ...(monthUsd === undefined ? {} : { monthUsd }) } }),
      }),
    );
  };
  write(null);
  return {
    llm,
    setDayBudget: (dayUsd, monthUsd) => write(dayUsd, monthUsd),
    close: async () => {
      if (before === undefined) fs.rmSync(config, { force: true });
      else fs.writeFileSync(config, before);
      await llm.close();
    },
  };
}

/** A run that writes `file` with `content` in one step, then finishes. */
export function writeThenFinish(file: string, content: string): FakeTurn[] {
  return [
    { text: `I will write ${file}.`, toolCalls: [{ name: 'write_file', arguments: { path: file, content } }], usage: { input: 1000, output: 20 } },
    { toolCalls: [{ name: 'finish', arguments: { summary: `wrote ${file}` } }], usage: { input: 1100, output: 10 } },
  ];
}
