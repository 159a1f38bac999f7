import * as z from 'zod/mini';
import { METHOD_RULES } from '../auth/policy';
import { CorralNotification, CorralRequest, ERROR_MEANINGS, ErrorCode, PROTOCOL_VERSION } from './base';
import * as protocol from './index';

/** How to bring docs/protocol.json up to date; the drift test's failure says it. */
export const PROTOCOL_DOCUMENT_COMMAND = 'npx tsx scripts/protocol.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/**
 * The protocol's JSDoc, read from its source by scripts/protocolComments.ts: method, param,
 * schema and field descriptions (the text written once, beside each declaration).
 */
export interface ProtocolComments {
  methods: ReadonlyMap<string, string>;
  params: ReadonlyMap<string, ReadonlyMap<string, string>>;
  schemas: ReadonlyMap<string, string>;
  properties: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

const NO_COMMENTS: ProtocolComments = { methods: new Map(), params: new Map(), schemas: new Map(), properties: new Map() };

interface Declarations {
  requests: CorralRequest<z.ZodMiniType, unknown>[];
  notifications: CorralNotification<unknown>[];
  /** Exported schemas by export name: the document's named components. */
  named: Map<string, z.ZodMiniType>;
}

/** Every request, notification and named schema exported by server/protocol, by export. */
export function protocolDeclarations(exports: Record<string, unknown> = protocol): Declarations {
  const requests: Declarations['requests'] = [];
  const notifications: Declarations['notifications'] = [];
  const named = new Map<string, z.ZodMiniType>();
  for (const [name, value] of Object.entries(exports)) {
    if (value instanceof CorralRequest) requests.push(value as CorralRequest<z.ZodMiniType, unknown>);
    else if (value instanceof CorralNotification) notifications.push(value as CorralNotification<unknown>);
    else if (isSchema(value) && /^[A-Z]/.test(name)) named.set(name, value);
  }
  requests.sort((a, b) => a.method.localeCompare(b.method));
  notifications.sort((a, b) => a.method.localeCompare(b.method));
  return { requests, notifications, named };
}

function isSchema(value: unknown): value is z.ZodMiniType {
  return typeof value === 'object' && value !== null && '_zod' in value;
}

/**
 * The whole protocol as an OpenRPC 1.3 document: each method with its params (by name), its
 * result and who may call it (`x-access`, from server/auth/policy.ts); the notifications (`x-notifications`, which OpenRPC has
 * no field for); every exported schema as a component; the error codes. JSON Schema by zod.
 */
export function protocolDocument(declarations: Declarations = protocolDeclarations(), comments: ProtocolComments = NO_COMMENTS): JsonObject {
  const registry = z.registry<{ id: string }>();
  const ids = new Map<z.ZodMiniType, string>();
  const name = (schema: z.ZodMiniType, id: string): string => {
    const known = ids.get(schema);
    if (known) return known;
    registry.add(schema, { id });
    ids.set(schema, id);
    return id;
  };
  for (const [exported, schema] of declarations.named) name(schema, exported);
  // Unnamed params and results get an id only to be generated; they are inlined below.
  const inline = new Set<string>();
  const local = (schema: z.ZodMiniType, id: string): string => {
    const given = name(schema, id);
    if (given === id) inline.add(id);
    return given;
  };
  const methods = declarations.requests.map((request) => ({
    request,
    params: local(request.params, `${request.method}#params`),
    result: local(request.result, `${request.method}#result`),
  }));
  const events = declarations.notifications.map((notification) => ({
    notification,
    payload: local(notification.payload, `${notification.method}#payload`),
  }));

  const generated = z.toJSONSchema(registry, { uri: (id) => `#/components/schemas/${id}` }) as { schemas: Record<string, JsonObject> };
  const schemas: Record<string, JsonObject> = {};
  for (const [id, schema] of Object.entries(generated.schemas)) {
    // Each is a part of this document, not a document of its own.
    schemas[id] = described(
      Object.fromEntries(Object.entries(schema).filter(([key]) => key !== '$schema' && key !== '$id')),
      comments.schemas.get(id),
      comments.properties.get(id),
    );
  }
  const take = (id: string): JsonObject => (inline.has(id) ? (schemas[id] ?? {}) : { $ref: `#/components/schemas/${id}` });
  const paramsOf = (id: string, optional: boolean, method: string): JsonObject[] => {
    const schema = schemas[id] ?? {};
    const properties = (schema.properties ?? {}) as Record<string, JsonObject>;
    const required = new Set((schema.required ?? []) as string[]);
    const docs = comments.params.get(method);
    return Object.entries(properties).map(([param, property]) => {
      const { description, ...rest } = property;
      const text = docs?.get(param) ?? description;
      return { name: param, ...(text === undefined ? {} : { description: text }), required: !optional && required.has(param), schema: rest };
    });
  };
  const about = (method: string): JsonObject => {
    const text = comments.methods.get(method);
    return text === undefined ? {} : { description: text };
  };

  const document: JsonObject = {
    openrpc: '1.3.2',
    info: {
      title: 'Corral daemon protocol',
      version: String(PROTOCOL_VERSION),
      description:
        "JSON-RPC 2.0 over the daemon's Unix socket (and the web app's WebSocket). Generated from server/protocol by `" +
        PROTOCOL_DOCUMENT_COMMAND +
        '`; do not edit. Every call but corral/hello needs a successful corral/hello first. Errors carry `data: { hint, details? }`.',
    },
    methods: methods.map(({ request, params, result }) => ({
      name: request.method,
      ...about(request.method),
      paramStructure: 'by-name',
      params: paramsOf(params, request.params._zod.optin === 'optional', request.method),
      result: { name: 'result', schema: take(result) },
      errors: [],
      // Who may call it, from the authorization policy's table (a method without a row is refused to all).
      'x-access': METHOD_RULES[request.method]?.caller ?? 'nobody',
    })),
    'x-notifications': events.map(({ notification, payload }) => ({
      name: notification.method,
      ...about(notification.method),
      params: [{ name: 'params', required: true, schema: take(payload) }],
    })),
    components: {
      schemas: Object.fromEntries(
        Object.entries(schemas)
          .filter(([id]) => !inline.has(id))
          .sort(([a], [b]) => a.localeCompare(b)),
      ),
      errors: Object.fromEntries(Object.entries(ErrorCode).map(([key, code]) => [key, { code, message: ERROR_MEANINGS[key as keyof typeof ErrorCode] }])),
    },
  };
  return document;
}

/** A schema with its JSDoc as `description`, and its fields' JSDoc on its properties. */
function described(schema: JsonObject, text: string | undefined, fields: ReadonlyMap<string, string> | undefined): JsonObject {
  const properties = schema.properties as Record<string, JsonObject> | undefined;
  const withFields =
    properties && fields
      ? {
          ...schema,
          properties: Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, fields.has(key) ? { description: fields.get(key)!, ...value } : value])),
        }
      : schema;
  return text === undefined ? withFields : { description: text, ...withFields };
}

/** The document as docs/protocol.json holds it. */
export function protocolDocumentText(comments?: ProtocolComments): string {
  return JSON.stringify(protocolDocument(protocolDeclarations(), comments), null, 2) + '\n';
}
