import type { SampleFact } from './rows';

/** Prices of a container's resources (config.json `usage.infra`). */
export interface InfraRates {
  cpuHourUsd: number;
  memoryGbHourUsd: number;
  /** A gap between samples longer than this is time the container was not sampled (paused, daemon down): not billed. */
  maxGapS: number;
}

/** Defaults: AWS Fargate Linux/x86 on-demand in us-east-1 (per vCPU-hour, per GB-hour), a public yardstick for "what would this cost on rented machines". */
export const DEFAULT_INFRA_RATES: InfraRates = { cpuHourUsd: 0.04048, memoryGbHourUsd: 0.004445, maxGapS: 120 };

export interface InfraCost {
  cpuSeconds: number;
  memoryGbHours: number;
  costUsd: number;
}

const GB = 1024 ** 3;

/**
 * CPU-seconds and memory GB-hours of the sampled containers: each sample stands for the time to
 * the session's next sample (at most `maxGapS`; the last sample of a session stands for nothing,
 * as nothing says how long it lasted).
 */
export function infraCost(samples: readonly SampleFact[], rates: InfraRates): InfraCost & { bySession: Map<string, InfraCost & { user: string }> } {
  const bySessionSamples = new Map<string, SampleFact[]>();
  for (const s of samples) {
    const list = bySessionSamples.get(s.sessionId);
    if (list) list.push(s);
    else bySessionSamples.set(s.sessionId, [s]);
  }
  const bySession = new Map<string, InfraCost & { user: string }>();
  let cpuSeconds = 0;
  let memoryGbHours = 0;
  for (const [session, list] of bySessionSamples) {
    list.sort((a, b) => a.at.localeCompare(b.at));
    let cpu = 0;
    let mem = 0;
    for (let i = 0; i + 1 < list.length; i++) {
      const s = list[i]!;
      const seconds = Math.min((Date.parse(list[i + 1]!.at) - Date.parse(s.at)) / 1000, rates.maxGapS);
      if (!(seconds > 0)) continue;
      cpu += (s.cpuPercent / 100) * seconds;
      mem += (s.memoryBytes / GB) * (seconds / 3600);
    }
    bySession.set(session, { user: list[0]!.user, cpuSeconds: cpu, memoryGbHours: mem, costUsd: price(cpu, mem, rates) });
    cpuSeconds += cpu;
    memoryGbHours += mem;
  }
  return { cpuSeconds, memoryGbHours, costUsd: price(cpuSeconds, memoryGbHours, rates), bySession };
}

function price(cpuSeconds: number, memoryGbHours: number, rates: InfraRates): number {
  return (cpuSeconds / 3600) * rates.cpuHourUsd + memoryGbHours * rates.memoryGbHourUsd;
}
