import { crc32 } from 'node:zlib';

/** A value sql.js can bind and JSON can carry. */
export type SqlValue = string | number | null;
/** One statement a write ran: SQL text and its positional parameters. */
export type Statement = readonly [sql: string, params: readonly SqlValue[]];

/** One acknowledged write: its sequence number and the statements it ran, in one transaction. */
export interface JournalRecord {
  seq: number;
  statements: Statement[];
}

const HEADER_BYTES = 8;
/** Larger lengths can only come from a torn or corrupt header. */
const MAX_RECORD_BYTES = 64 * 1024 * 1024;

/** Frame: u32 LE payload length, u32 LE CRC-32 of the payload, then the JSON payload. */
export function encodeRecord(record: JournalRecord): Buffer {
  const text = JSON.stringify({ s: record.seq, w: record.statements });
  const length = Buffer.byteLength(text);
  const frame = Buffer.allocUnsafe(HEADER_BYTES + length);
  frame.write(text, HEADER_BYTES, 'utf8');
  frame.writeUInt32LE(length, 0);
  frame.writeUInt32LE(crc32(frame.subarray(HEADER_BYTES)), 4);
  return frame;
}

export interface DecodedJournal {
  records: JournalRecord[];
  /** Byte offset of each record, for cutting the journal at a record. */
  offsets: number[];
  /** Bytes up to the end of the last valid record. */
  validBytes: number;
  /** Why decoding stopped before the end, if it did. */
  problem?: string;
}

/** Decodes records up to the first one that is incomplete or fails its checksum. */
export function decodeRecords(data: Buffer): DecodedJournal {
  const records: JournalRecord[] = [];
  const offsets: number[] = [];
  let offset = 0;
  while (offset < data.length) {
    if (data.length - offset < HEADER_BYTES) {
      return { records, offsets, validBytes: offset, problem: `incomplete record header at byte ${offset}` };
    }
    const length = data.readUInt32LE(offset);
    const checksum = data.readUInt32LE(offset + 4);
    if (length > MAX_RECORD_BYTES || offset + HEADER_BYTES + length > data.length) {
      return { records, offsets, validBytes: offset, problem: `incomplete record at byte ${offset}` };
    }
    const payload = data.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + length);
    if (crc32(payload) !== checksum) {
      return { records, offsets, validBytes: offset, problem: `checksum mismatch at byte ${offset}` };
    }
    const record = parsePayload(payload);
    if (!record) return { records, offsets, validBytes: offset, problem: `unreadable record at byte ${offset}` };
    records.push(record);
    offsets.push(offset);
    offset += HEADER_BYTES + length;
  }
  return { records, offsets, validBytes: offset };
}

function parsePayload(payload: Buffer): JournalRecord | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { s, w } = parsed as { s?: unknown; w?: unknown };
  if (typeof s !== 'number' || !Array.isArray(w)) return undefined;
  const statements: Statement[] = [];
  for (const entry of w as unknown[]) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !Array.isArray(entry[1])) return undefined;
    statements.push([entry[0], entry[1] as SqlValue[]]);
  }
  return { seq: s, statements };
}
