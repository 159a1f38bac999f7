import * as fs from 'node:fs';
import type { RecoveryEvent } from '../protocol';
import { decodeRecords, type JournalRecord } from './journalFormat';
import { listJournalFiles } from './journal';

export interface ReplayResult {
  lastSeq: number;
  replayed: number;
  events: RecoveryEvent[];
}

/**
 * Applies every journal record after `fromSeq`, in order, and leaves the journal folder holding
 * exactly what was applied: a torn or corrupt tail is cut off, and anything after a gap or a
 * failing record is moved aside to `*.dropped` (kept for inspection). Each drop is reported.
 */
export function replayJournal(dir: string, fromSeq: number, apply: (record: JournalRecord) => void): ReplayResult {
  const events: RecoveryEvent[] = [];
  let lastSeq = fromSeq;
  let replayed = 0;
  const files = listJournalFiles(dir);
  for (let index = 0; index < files.length; index++) {
    const { file } = files[index]!;
    const data = fs.readFileSync(file);
    const decoded = decodeRecords(data);
    let stopAt: { offset: number; event: RecoveryEvent } | undefined;
    for (const [position, record] of decoded.records.entries()) {
      if (record.seq <= lastSeq) continue;
      if (record.seq !== lastSeq + 1) {
        stopAt = {
          offset: decoded.offsets[position]!,
          event: { kind: 'journal-gap', message: `journal jumps from record ${lastSeq} to ${record.seq} in ${file}` },
        };
        break;
      }
      try {
        apply(record);
      } catch (error) {
        stopAt = {
          offset: decoded.offsets[position]!,
          event: {
            kind: 'replay-failed',
            message: `record ${record.seq} in ${file} failed to apply: ${error instanceof Error ? error.message : String(error)}`,
          },
        };
        break;
      }
      lastSeq = record.seq;
      replayed++;
    }
    if (!stopAt && decoded.problem) {
      const isLast = index === files.length - 1;
      stopAt = {
        offset: decoded.validBytes,
        event: {
          kind: 'torn-journal-tail',
          message: `${isLast ? 'torn tail' : 'corrupt record'} in ${file}: ${decoded.problem}`,
        },
      };
    }
    if (stopAt) {
      const droppedBytes = data.length - stopAt.offset;
      const droppedRecords = decoded.records.filter((r) => r.seq > lastSeq).length;
      if (droppedBytes > 0) fs.writeFileSync(`${file}.dropped-${Date.now()}`, data.subarray(stopAt.offset), { mode: 0o600 });
      fs.truncateSync(file, stopAt.offset);
      let laterFiles = 0;
      for (const later of files.slice(index + 1)) {
        fs.renameSync(later.file, `${later.file}.dropped-${Date.now()}`);
        laterFiles++;
      }
      events.push({
        ...stopAt.event,
        message: stopAt.event.message + `; dropped ${droppedBytes} bytes${laterFiles > 0 ? ` and ${laterFiles} later journal file(s)` : ''}` + ' (kept as *.dropped)',
        droppedBytes,
        droppedRecords,
      });
      break;
    }
  }
  return { lastSeq, replayed, events };
}
