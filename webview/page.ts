import type { Identity } from '../server/protocol';
import type { RpcClient } from './rpc';

/** What a page gets; it returns a function that stops its live updates when the user leaves. */
export interface PageContext {
  rpc: RpcClient;
  identity: Identity;
  /** The page's region: it owns the children. */
  root: HTMLElement;
  /** The query of the page's hash route (`#/board?file=/abs/TASKS.md`). */
  params: URLSearchParams;
  /** Says something to screen readers and sighted users alike (an `aria-live` region). */
  announce(text: string): void;
}

export type Page = (context: PageContext) => Promise<() => void>;
