/** Numbers as the CLI prints them. */

/** US dollars: cents, or four decimals below a cent (so a cheap call is not $0.00). */
export function money(usd: number): string {
  return usd > 0 && usd < 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

/** A count with thousands separators: 12,345. */
export function n(value: number): string {
  return value.toLocaleString('en-US');
}
