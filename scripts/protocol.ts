/**
 * Writes docs/protocol.json from the declarations in server/protocol (`npx tsx scripts/protocol.ts`);
 * with `--check`, only says whether the file is up to date (exit 1 when not). The unit test
 * test/unit/protocolDocument.test.ts runs the same check in the test command.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROTOCOL_DOCUMENT_COMMAND, protocolDocumentText } from '../server/protocol/document';
import { readProtocolComments } from './protocolComments';

const file = path.join(import.meta.dirname, '..', 'docs', 'protocol.json');
const text = protocolDocumentText(readProtocolComments());
if (process.argv.includes('--check')) {
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  if (current !== text) {
    process.stderr.write(`docs/protocol.json is out of date: run \`${PROTOCOL_DOCUMENT_COMMAND}\`\n`);
    process.exit(1);
  }
} else {
  fs.writeFileSync(file, text);
  process.stdout.write(`wrote ${path.relative(process.cwd(), file)} (${Buffer.byteLength(text)} bytes)\n`);
}
