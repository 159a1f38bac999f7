import * as assert from 'node:assert/strict';
import { decodeRecords, encodeRecord, type JournalRecord } from '../../server/store/journalFormat';

const records: JournalRecord[] = [
  { seq: 1, statements: [['INSERT INTO t VALUES (?, ?)', ['a', 1]]] },
  {
    seq: 2,
    statements: [
      ['UPDATE t SET v = ?', [null]],
      ['DELETE FROM t WHERE k = ?', ['é ✅ "q"']],
    ],
  },
  { seq: 3, statements: [] },
];
const bytes = Buffer.concat(records.map(encodeRecord));

describe('journal record format', () => {
  it('round-trips records', () => {
    const decoded = decodeRecords(bytes);
    assert.deepEqual(decoded.records, records);
    assert.equal(decoded.validBytes, bytes.length);
    assert.equal(decoded.problem, undefined);
  });

  it('keeps exactly the complete records when the tail is torn at any byte', () => {
    const ends = [0];
    for (const r of records) ends.push(ends[ends.length - 1]! + encodeRecord(r).length);
    for (let cut = 0; cut < bytes.length; cut++) {
      const decoded = decodeRecords(bytes.subarray(0, cut));
      const complete = ends.filter((end) => end <= cut).length - 1;
      assert.equal(decoded.records.length, complete, `cut at ${cut}`);
      assert.equal(decoded.validBytes, ends[complete]);
      assert.equal(decoded.problem === undefined, cut === ends[complete]);
    }
  });

  it('stops at a flipped byte and keeps what came before', () => {
    const second = encodeRecord(records[0]!).length;
    const damaged = Buffer.from(bytes);
    damaged[second + 12] = damaged[second + 12]! ^ 0xff;
    const decoded = decodeRecords(damaged);
    assert.equal(decoded.records.length, 1);
    assert.equal(decoded.validBytes, second);
    assert.match(decoded.problem ?? '', /checksum mismatch/);
  });

  it('treats an absurd length as a torn header, not an allocation', () => {
    const header = Buffer.alloc(8);
    header.writeUInt32LE(0xffffffff, 0);
    const decoded = decodeRecords(Buffer.concat([bytes, header]));
    assert.equal(decoded.records.length, 3);
    assert.match(decoded.problem ?? '', /incomplete record/);
  });
});
