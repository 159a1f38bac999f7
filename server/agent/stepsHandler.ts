import { CorralError } from '../errors';
import type { Message } from '../llm/types';
import { ErrorCode } from '../protocol';
import { AgentSteps, type RunStep } from '../protocol/agentEvents';
import type { Router } from '../rpc/router';
import type { Store } from '../store/store';
import { loadHistory, runRow } from './runJournal';

/** Longest text or result a step carries: a summary for a view, not the transcript's every byte. */
const CUT = 300;

/** `agent/steps`: a run's journaled steps for clients that did not watch it live. */
export function registerAgentStepsHandler(router: Router, store: Store): Router {
  return router.on(AgentSteps, (params, { identity }) => {
    const row = store.read((r) => runRow(r, params.run));
    // Another user's run is answered like a run that does not exist: ids are not to be probed.
    if (row === undefined || row.user !== identity.user) throw new CorralError(ErrorCode.NotFound, `you have no run ${params.run}`, 'list your runs with `corral run --list`');
    // loadHistory checks the journal (a damaged one is refused, saying so): one assistant turn per step, in order.
    const { messages } = store.read((r) => loadHistory(r, params.run));
    return { runId: params.run, steps: stepsOf(messages) };
  });
}

/** Each step is one assistant turn and the results of its tool calls (matched by call id). */
export function stepsOf(messages: Message[]): RunStep[] {
  const steps: { step: number; text: string; calls: { id: string; name: string; arguments: string; ok: boolean; result: string }[] }[] = [];
  for (const message of messages) {
    if (message.role === 'assistant') {
      const calls = message.toolCalls.map((call) => ({ id: call.id, name: call.name, arguments: call.arguments.slice(0, CUT), ok: true, result: '' }));
      steps.push({ step: steps.length + 1, text: message.text.slice(0, CUT), calls });
    } else if (message.role === 'tool') {
      for (const result of message.results) {
        const call = steps.at(-1)?.calls.find((c) => c.id === result.id);
        if (call) Object.assign(call, { ok: !result.isError, result: result.content.slice(0, CUT) });
      }
    }
  }
  return steps.map(({ step, text, calls }) => ({ step, text, tools: calls.map(({ id: _id, ...tool }) => tool) }));
}
