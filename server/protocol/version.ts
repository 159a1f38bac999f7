/**
 * Version of the wire protocol. A client and the daemon talk only when these are equal; the
 * daemon names both versions in its refusal so the user knows which side to update. This module
 * imports nothing, so the web app's page takes the very same constant without the rest.
 * 2: every result and notification has a schema (docs/protocol.json), session states are an
 * enum, long requests take a `progressToken`, `session/list` takes no `all`.
 */
export const PROTOCOL_VERSION = 2;
