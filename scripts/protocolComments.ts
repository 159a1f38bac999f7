import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

/**
 * The JSDoc of server/protocol, read from its source: what clients read in their editor becomes
 * the descriptions of docs/protocol.json, so the text is written once, beside the declaration.
 */
export interface ProtocolComments {
  /** Method (or notification) name → the JSDoc above its declaration. */
  methods: Map<string, string>;
  /** Method → param name → the JSDoc above that field of its params schema. */
  params: Map<string, Map<string, string>>;
  /** Exported schema name → the JSDoc above it. */
  schemas: Map<string, string>;
  /** Exported schema name → property → the JSDoc above that field. */
  properties: Map<string, Map<string, string>>;
}

const PROTOCOL_DIR = path.join(import.meta.dirname, '..', 'server', 'protocol');

export function readProtocolComments(dir = PROTOCOL_DIR): ProtocolComments {
  const comments: ProtocolComments = { methods: new Map(), params: new Map(), schemas: new Map(), properties: new Map() };
  for (const file of fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .sort()) {
    const source = ts.createSourceFile(file, fs.readFileSync(path.join(dir, file), 'utf8'), ts.ScriptTarget.ES2022, true);
    // Every top-level const's object-literal fields, for params schemas that are not exported.
    const fieldsOf = new Map<string, Map<string, string>>();
    const declarations: { name: string; exported: boolean; doc: string | undefined; init: ts.Expression }[] = [];
    for (const statement of source.statements) {
      if (!ts.isVariableStatement(statement)) continue;
      const exported = statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) === true;
      for (const declaration of statement.declarationList.declarations) {
        if (!ts.isIdentifier(declaration.name) || !declaration.initializer) continue;
        const name = declaration.name.text;
        declarations.push({ name, exported, doc: docOf(statement), init: declaration.initializer });
        const literal = objectLiteralOf(declaration.initializer);
        if (literal) fieldsOf.set(name, fieldDocs(literal));
      }
    }
    for (const { name, exported, doc, init } of declarations) {
      const method = declaredMethod(init);
      if (method) {
        if (doc) comments.methods.set(method.name, doc);
        const params = method.params && fieldsOf.get(method.params);
        if (params && params.size > 0) comments.params.set(method.name, params);
        continue;
      }
      if (!exported) continue;
      if (doc) comments.schemas.set(name, doc);
      const fields = fieldsOf.get(name);
      if (fields && fields.size > 0) comments.properties.set(name, fields);
    }
  }
  return comments;
}

/** `new CorralRequest('m', Params, …)` or `new CorralNotification('m', …)`: the method and the params' identifier. */
function declaredMethod(init: ts.Expression): { name: string; params: string | undefined } | undefined {
  if (!ts.isNewExpression(init) || !ts.isIdentifier(init.expression)) return undefined;
  if (init.expression.text !== 'CorralRequest' && init.expression.text !== 'CorralNotification') return undefined;
  const [method, params] = init.arguments ?? [];
  if (!method || !ts.isStringLiteral(method)) return undefined;
  return { name: method.text, params: init.expression.text === 'CorralRequest' && params && ts.isIdentifier(params) ? params.text : undefined };
}

/** The fields of `z.strictObject({…})`, `z.object({…})` or `z.extend(X, {…})`, through a `z.optional(…)`. */
function objectLiteralOf(init: ts.Expression): ts.ObjectLiteralExpression | undefined {
  if (!ts.isCallExpression(init)) return undefined;
  const callee = init.expression.getText();
  if (callee === 'z.optional' || callee === 'z.nullable') return init.arguments[0] ? objectLiteralOf(init.arguments[0]) : undefined;
  if (callee === 'z.strictObject' || callee === 'z.object' || callee === 'z.extend') return init.arguments.find(ts.isObjectLiteralExpression);
  return undefined;
}

function fieldDocs(literal: ts.ObjectLiteralExpression): Map<string, string> {
  const docs = new Map<string, string>();
  for (const property of literal.properties) {
    if (!ts.isPropertyAssignment(property) || !property.name) continue;
    const doc = docOf(property);
    if (doc) docs.set(property.name.getText().replace(/^['"]|['"]$/g, ''), doc);
  }
  return docs;
}

function docOf(node: ts.Node): string | undefined {
  const docs = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc);
  const text = docs
    .map((doc) => ts.getTextOfJSDocComment(doc.comment) ?? '')
    .join('\n')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
  return text === '' ? undefined : text;
}
