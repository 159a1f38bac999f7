/** Spending limits in USD; absent ones do not apply. */
export interface Budgets {
  runUsd?: number;
  dayUsd?: number;
  monthUsd?: number;
}

export interface Spending {
  run: number;
  day: number;
  month: number;
}

const KINDS = [
  ['run', 'runUsd', 'this run'],
  ['day', 'dayUsd', "today's"],
  ['month', 'monthUsd', "this month's"],
] as const;

export type BudgetCheck = { ok: true } | { ok: false; kind: keyof Spending; message: string; hint: string };

/**
 * Before a call: would its worst case (the whole prompt uncached and every allowed output token)
 * take any spending past its budget? Checked before the call, so a budget is never overrun by
 * more than what the provider bills beyond its own reported usage.
 */
export function checkBudgets(budgets: Budgets, spent: Spending, worstCaseUsd: number): BudgetCheck {
  for (const [kind, key, label] of KINDS) {
    const limit = budgets[key];
    if (limit === undefined) continue;
    if (spent[kind] + worstCaseUsd > limit) {
      return {
        ok: false,
        kind,
        message: `stopped before the next model call: ${label} budget of ${usd(limit)} would be exceeded (spent ${usd(spent[kind])}, the next call may cost up to ${usd(worstCaseUsd)})`,
        hint: kind === 'run' ? 'run again with a larger --budget, or a narrower goal' : `raise budgets.${key} in $CORRAL_HOME/config.json, or wait`,
      };
    }
  }
  return { ok: true };
}

/** Budgets that spending has reached 80 % of and that were not yet warned about (then marked). */
export function budgetWarnings(budgets: Budgets, spent: Spending, warned: Set<string>): string[] {
  const warnings: string[] = [];
  for (const [kind, key, label] of KINDS) {
    const limit = budgets[key];
    if (limit === undefined || warned.has(kind) || spent[kind] < 0.8 * limit) continue;
    warned.add(kind);
    warnings.push(`${label} spending is at ${Math.round((spent[kind] / limit) * 100)} % of its budget (${usd(spent[kind])} of ${usd(limit)})`);
  }
  return warnings;
}

export function usd(value: number): string {
  return value < 0.01 && value > 0 ? `$${value.toFixed(4)}` : `$${value.toFixed(2)}`;
}
