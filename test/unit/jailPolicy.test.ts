import * as assert from 'node:assert/strict';
import { CorralError } from '../../server/errors';
import { DEFAULT_LIMITS, DEFAULT_MAXIMA, MiB, resolveLimits } from '../../server/jail/policy';
import { corralSeccompProfile, DENIED_ON_PURPOSE } from '../../server/jail/seccomp';
import { killScript, MarkerScanner, wrapCommand } from '../../server/jail/framing';

describe('jail policy', () => {
  it('uses the defaults, and accepts requests within the maxima', () => {
    assert.deepEqual(resolveLimits(), DEFAULT_LIMITS);
    assert.deepEqual(resolveLimits({ memoryBytes: 512 * MiB, cpus: 2 }), { ...DEFAULT_LIMITS, memoryBytes: 512 * MiB, cpus: 2 });
  });

  it('refuses a limit above the maximum or below a working minimum, naming the range', () => {
    for (const request of [{ memoryBytes: DEFAULT_MAXIMA.memoryBytes + 1 }, { cpus: 0 }, { pids: 2 }, { tmpBytes: Number.NaN }]) {
      assert.throws(
        () => resolveLimits(request),
        (error: unknown) => error instanceof CorralError && /outside the allowed range/.test(error.message),
      );
    }
  });
});

describe("Corral's seccomp profile", () => {
  const profile = corralSeccompProfile();
  const allowed = new Set(profile.syscalls.filter((r) => r.action === 'SCMP_ACT_ALLOW' && !r.args).flatMap((r) => r.names));

  it('denies by default with EPERM', () => {
    assert.equal(profile.defaultAction, 'SCMP_ACT_ERRNO');
    assert.equal(profile.defaultErrnoRet, 1);
  });

  it('allows none of the syscalls it denies on purpose', () => {
    for (const name of DENIED_ON_PURPOSE) assert.equal(allowed.has(name), false, name);
  });

  it('allows sockets of every family but AF_VSOCK, and clone only without namespace flags', () => {
    const socket = profile.syscalls.find((r) => r.names.includes('socket'))!;
    assert.deepEqual(socket.args, [{ index: 0, value: 40, op: 'SCMP_CMP_NE' }]);
    const clone = profile.syscalls.find((r) => r.names.includes('clone'))!;
    assert.equal(clone.args?.[0]?.op, 'SCMP_CMP_MASKED_EQ');
    assert.equal(clone.args?.[0]?.value, 0x7e020000);
    assert.equal(profile.syscalls.find((r) => r.names.includes('clone3'))!.errnoRet, 38);
  });
});

describe('shell framing', () => {
  it('finds the end marker split at any byte, keeping the output before it', () => {
    const stream = Buffer.from('hello\x1eworld\x1e\x1eabc:0:7\x1e');
    for (let cut = 0; cut <= stream.length; cut++) {
      const scanner = new MarkerScanner('abc', true);
      const first = scanner.feed(stream.subarray(0, cut));
      const second = first.status === undefined ? scanner.feed(stream.subarray(cut)) : { output: Buffer.alloc(0), status: first.status, pid: first.pid };
      assert.equal(Buffer.concat([first.output, second.output]).toString('latin1'), 'hello\x1eworld\x1e', `cut ${cut}`);
      assert.equal(second.status, 0);
      assert.equal(second.pid, 7);
    }
  });

  it('passes a command through a quoted here-document untouched', () => {
    const wrapped = wrapCommand('echo \'$HOME\' "$(date)" `x` \\', 3, 'ffee');
    assert.match(wrapped, /^export CORRAL_CMD=3\n/);
    assert.ok(wrapped.includes("<<'__CORRAL_ffee'\necho '$HOME' \"$(date)\" `x` \\\n__CORRAL_ffee\n"), wrapped);
  });

  it('builds a kill script only for well-formed markers', () => {
    assert.match(killScript('CORRAL_CMD=12', 34), /^kill -USR1 34 2>\/dev\/null; for d in/);
    assert.throws(() => killScript("CORRAL_CMD=1'; rm -rf /; '"));
  });
});
