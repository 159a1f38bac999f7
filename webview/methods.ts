import type { NotificationType, RequestType } from 'vscode-jsonrpc';
import type {
  AgentList,
  AttachClose,
  AttachClosedNotification,
  AttachInput,
  AttachOpen,
  AttachOutputNotification,
  AttachResize,
  AgentRun,
  Hello,
  SessionChanged,
  SessionList,
  TasksChanged,
  TasksList,
  TasksUpdate,
  UsageChanged,
  UsageAlerts,
  UsageForecast,
  UsageMonthReportRequest,
  UsageQuery,
} from '../server/protocol';

/**
 * The methods the app calls, typed from their declarations in server/protocol (types only: the
 * declarations carry zod schemas and vscode-jsonrpc classes the page does not need). A unit test
 * checks each name against its declaration (test/unit/webMethods.test.ts).
 */
export interface Method<P, R> {
  readonly method: string;
  /** Never set: carries the types. */
  readonly types?: [P, R];
}
export interface Notice<P> {
  readonly method: string;
  readonly types?: [P];
}

type RequestTypes<T> = T extends RequestType<infer P, infer R, unknown> ? Method<P, R> : never;
type NotificationTypes<T> = T extends NotificationType<infer P> ? Notice<P> : never;

const request = <T>(method: string): RequestTypes<T> => ({ method }) as RequestTypes<T>;
const notice = <T>(method: string): NotificationTypes<T> => ({ method }) as NotificationTypes<T>;

/** server/protocol's PROTOCOL_VERSION itself (its module imports nothing). */
export { PROTOCOL_VERSION as WEB_PROTOCOL_VERSION } from '../server/protocol/version';

export const Methods = {
  hello: request<typeof Hello>('corral/hello'),
  sessionList: request<typeof SessionList>('session/list'),
  tasksList: request<typeof TasksList>('tasks/list'),
  tasksUpdate: request<typeof TasksUpdate>('tasks/update'),
  usageQuery: request<typeof UsageQuery>('usage/query'),
  usageForecast: request<typeof UsageForecast>('usage/forecast'),
  agentRun: request<typeof AgentRun>('agent/run'),
  agentList: request<typeof AgentList>('agent/list'),
  usageAlerts: request<typeof UsageAlerts>('usage/alerts'),
  usageReport: request<typeof UsageMonthReportRequest>('usage/report'),
  attachOpen: request<typeof AttachOpen>('attach/open'),
  attachInput: request<typeof AttachInput>('attach/input'),
  attachResize: request<typeof AttachResize>('attach/resize'),
  attachClose: request<typeof AttachClose>('attach/close'),
};

export const Notices = {
  sessionChanged: notice<typeof SessionChanged>('session/changed'),
  tasksChanged: notice<typeof TasksChanged>('tasks/changed'),
  usageChanged: notice<typeof UsageChanged>('usage/changed'),
  attachOutput: notice<typeof AttachOutputNotification>('attach/output'),
  attachClosed: notice<typeof AttachClosedNotification>('attach/closed'),
};
