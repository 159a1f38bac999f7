import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DaemonStatusRequest, SessionRemove, SessionStart, type ShellExecResult } from '../../server/protocol';
import type { DaemonConnection } from '../../server/protocol/client';
import { homePaths } from '../../server/protocol/paths';
import { connect, startDaemon, type DaemonProcess } from '../support/daemon';
import { tempHome } from '../support/home';
import { DEBIAN, ensureImage, imageCache, sampleRepo, sh, startSession } from '../support/jail';

const SECRET_KEY = 'sk-corral-test-secret-0123456789abcdef';
const HOST_SECRET = 'host-only-secret-7f3e9a';

/** One row of the printed report: what was tried and what the jail answered. */
const report: { attempt: string; outcome: string; blocked: boolean }[] = [];

/**
 * Escape attempts through the public API (shell/exec in a session on the debian image). Every
 * attempt must fail; the daemon must stay healthy. Learned from the sandbox tests of
 * sandbox-runtime and Codex's Linux sandbox, and from what this machine's engine leaves open.
 */
describe('jail security: escape attempts through the public API', function () {
  this.timeout(300_000);
  let home: ReturnType<typeof tempHome>;
  let daemon: DaemonProcess;
  let client: DaemonConnection;
  let session: string;
  let repo: ReturnType<typeof sampleRepo>;
  let hostSecretFile: string;

  before(async () => {
    home = tempHome('sec');
    daemon = await startDaemon(home.home, {
      CORRAL_IMAGE_CACHE: imageCache,
      OPENAI_API_KEY: SECRET_KEY,
      ANTHROPIC_API_KEY: SECRET_KEY,
      CORRAL_MAX_OUTPUT_BYTES: '1048576',
    });
    client = await connect(home.home);
    await ensureImage(client, 'debian');
    hostSecretFile = path.join(home.home, 'host-secret.txt');
    fs.writeFileSync(hostSecretFile, HOST_SECRET);
    repo = sampleRepo({ 'README.md': '# repo\n' });
    fs.symlinkSync(hostSecretFile, path.join(repo.dir, 'escape-link'));
    fs.symlinkSync('/', path.join(repo.dir, 'root-link'));
    session = await startSession(client, DEBIAN, { repo: repo.dir, limits: { memoryMb: 256, pids: 128 } });
  });

  after(async () => {
    await client.rpc.sendRequest(SessionRemove, { session }).catch(() => undefined);
    const width = Math.max(...report.map((r) => r.attempt.length));
    console.log('\n      attempt'.padEnd(width + 9) + 'result');
    for (const row of report) console.log(`      ${row.attempt.padEnd(width)}  ${row.blocked ? 'BLOCKED' : 'NOT BLOCKED'}: ${row.outcome}`);
    client.dispose();
    await daemon.terminate();
    repo.cleanup();
    home.cleanup();
  });

  afterEach(async () => {
    // The daemon stays healthy after every attempt.
    const status = await client.rpc.sendRequest(DaemonStatusRequest, {});
    assert.equal(status.pid, daemon.pid);
  });

  /** Runs `command`; `blocked` decides from the result whether the jail held. */
  async function attempt(name: string, command: string, blocked: (r: ShellExecResult) => boolean, timeoutMs = 30_000): Promise<ShellExecResult> {
    const result = await sh(client, session, command, timeoutMs);
    const held = blocked(result);
    const outcome = `exit ${result.exitCode}${result.timedOut ? ' (timed out)' : ''}: ${(result.stderr || result.stdout).trim().split('\n').slice(-1)[0]?.slice(0, 90) ?? ''}`;
    report.push({ attempt: name, outcome, blocked: held });
    assert.ok(held, `${name} was not blocked: ${JSON.stringify(result).slice(0, 500)}`);
    return result;
  }

  const py = (code: string): string => `python3 -c '${code.replace(/'/g, `'\\''`)}'`;
  const failed = (r: ShellExecResult): boolean => r.exitCode !== 0;

  it('cannot read /etc/shadow', () => attempt('read /etc/shadow', 'cat /etc/shadow', failed));

  it('cannot read host files: the daemon home, the token, a host secret', () =>
    attempt(
      'read host files',
      `cat ${homePaths(home.home).token} ${hostSecretFile} /root/.ssh/id_rsa 2>&1; grep -rs ${HOST_SECRET} / --exclude-dir=proc --exclude-dir=sys; echo done`,
      (r) => !r.stdout.includes(HOST_SECRET) && !r.stdout.match(/[0-9a-f]{64}/),
    ));

  it('cannot escape through symlinks in the workspace pointing at host paths', () =>
    attempt(
      'symlink to a host file',
      'cat escape-link; ls root-link/ | head -3; cat root-link/etc/hostname',
      (r) => !r.stdout.includes(HOST_SECRET) && !r.stderr.includes(HOST_SECRET),
    ));

  it('cannot write outside /workspace and /tmp', () =>
    attempt(
      'write outside /workspace and /tmp',
      'touch /etc/evil || touch /usr/bin/evil || touch /evil || touch /var/evil',
      (r) => failed(r) && /Read-only file system/.test(r.stderr),
    ));

  it('cannot reach the host or the internet over TCP', () =>
    attempt(
      'TCP to host, bridge and internet',
      py(
        'import socket\nfor h in ["172.17.0.1", "10.0.2.2", "1.1.1.1", "127.0.0.1"]:\n  try:\n    socket.create_connection((h, 22 if h!="1.1.1.1" else 443), timeout=2); print("CONNECTED", h)\n  except OSError as e: print(h, e)',
      ),
      (r) => !r.stdout.includes('CONNECTED'),
    ));

  it('cannot send UDP or resolve names', () =>
    attempt(
      'UDP and DNS',
      py(
        'import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\ntry:\n  s.sendto(b"x", ("1.1.1.1", 53)); print("SENT")\nexcept OSError as e: print("udp", e)\ntry:\n  print("RESOLVED", socket.gethostbyname("deb.debian.org"))\nexcept OSError as e: print("dns", e)',
      ),
      (r) => !r.stdout.includes('SENT') && !r.stdout.includes('RESOLVED'),
    ));

  it('has only the loopback interface', () => attempt('network interfaces', 'cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " "', (r) => r.stdout.trim() === 'lo'));

  it('cannot mount', () => attempt('mount a tmpfs', 'mkdir -p /tmp/m && mount -t tmpfs none /tmp/m', failed));

  it('cannot unshare namespaces (user, mount, net)', () => attempt('unshare -U / -m / -n', 'unshare -U true || unshare -m true || unshare -n true || unshare -Ur true', failed));

  it('cannot chroot', () => attempt('chroot', 'chroot / true', failed));

  it('cannot create device nodes', () => attempt('mknod', 'mknod /tmp/mem c 1 1', failed));

  it('cannot open raw or packet sockets', () =>
    attempt(
      'raw and packet sockets',
      py(
        'import socket\nfor fam, kind, proto in [(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP), (socket.AF_PACKET, socket.SOCK_RAW, 0)]:\n  try:\n    socket.socket(fam, kind, proto); print("OPENED", fam)\n  except OSError as e: print(fam, e)',
      ),
      (r) => !r.stdout.includes('OPENED'),
    ));

  it('cannot create AF_VSOCK sockets (the VM host listens on vsock)', () =>
    attempt(
      'AF_VSOCK socket',
      py('import socket\ntry:\n  socket.socket(socket.AF_VSOCK, socket.SOCK_STREAM); print("OPENED")\nexcept OSError as e: print("vsock", e)'),
      (r) => !r.stdout.includes('OPENED') && r.stdout.includes('Operation not permitted'),
    ));

  it('cannot set up io_uring', () =>
    attempt(
      'io_uring_setup',
      py(
        'import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\nparams = ctypes.create_string_buffer(120)\nr = libc.syscall(425, 8, params)\nprint("io_uring_setup", r, os.strerror(ctypes.get_errno()))',
      ),
      (r) => /io_uring_setup -1 Operation not permitted/.test(r.stdout),
    ));

  it('cannot load a kernel module', () =>
    attempt(
      'init_module / finit_module',
      py('import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\nfor nr in (175, 313):\n  r = libc.syscall(nr, 0, 0, 0)\n  print(nr, r, os.strerror(ctypes.get_errno()))'),
      (r) => !/ 0 /.test(r.stdout) && (r.stdout.match(/Operation not permitted/g) ?? []).length === 2,
    ));

  it('cannot read kernel information paths', () =>
    attempt(
      'read /sys/kernel/vmcoreinfo, /proc/kallsyms',
      'cat /sys/kernel/vmcoreinfo /proc/kallsyms /sys/devices/virtual/dmi/id/product_uuid 2>/dev/null | head -c 100 | wc -c',
      (r) => r.stdout.trim() === '0',
    ));

  it('has no capabilities and no way to gain privileges (setuid)', () =>
    attempt(
      'capabilities and setuid',
      "grep -E '^(CapEff|CapPrm|CapBnd|NoNewPrivs|Seccomp):' /proc/self/status; su -c id root </dev/null",
      (r) =>
        /CapEff:\s+0000000000000000/.test(r.stdout) &&
        /CapBnd:\s+0000000000000000/.test(r.stdout) &&
        /NoNewPrivs:\s+1/.test(r.stdout) &&
        /Seccomp:\s+2/.test(r.stdout) &&
        failed(r),
    ));

  it('cannot see the daemon environment or any provider key', () =>
    attempt(
      'read the daemon environment and keys',
      `env; cat /proc/*/environ 2>/dev/null | tr '\\0' '\\n'; grep -rs ${SECRET_KEY} /workspace /tmp /etc; ps -ef`,
      (r) => !r.stdout.includes(SECRET_KEY) && !r.stdout.includes('OPENAI_API_KEY') && !r.stdout.includes('CORRAL_HOME'),
    ));

  it('cannot see host processes', () => attempt('see host processes', 'ps -e -o comm= | sort -u', (r) => !/node|dockerd|containerd/.test(r.stdout)));

  it('finds no Docker socket', () =>
    attempt(
      'find a Docker socket',
      "ls -la /var/run/docker.sock /run/docker.sock 2>&1; find / -xdev \\( -name 'docker.sock' -o -name 'containerd.sock' \\) 2>/dev/null; echo end",
      (r) => !/^srw/m.test(r.stdout) && !/docker\.sock\n/.test(r.stdout.replace(/No such file.*\n/g, '')),
    ));

  it('contains a fork bomb at the pids limit; the session is removable and others unaffected', async () => {
    const bombed = await startSession(client, DEBIAN, { limits: { pids: 64 } });
    const result = await sh(client, bombed, 'bomb() { bomb | bomb & }; bomb; sleep 2; echo returned', 8000);
    const others = await sh(client, session, 'ls /workspace >/dev/null && echo other session fine');
    const started = Date.now();
    await client.rpc.sendRequest(SessionRemove, { session: bombed });
    const removal = Date.now() - started;
    const held = others.stdout === 'other session fine\n' && removal < 15_000;
    report.push({
      attempt: 'fork bomb (pids limit 64)',
      outcome: `${(result.stderr.match(/Cannot fork/g) ?? []).length} forks refused; other session fine; removed in ${removal} ms`,
      blocked: held,
    });
    assert.match(result.stderr, /Cannot fork|Resource temporarily unavailable/);
    assert.ok(held);
  });

  it('OOM-kills a memory bomb and reports it', () =>
    attempt('memory bomb (limit 256 MB)', py('x = bytearray(2 * 1024 ** 3)\nprint("ALLOCATED")'), (r) => r.exitCode === 137 && !r.stdout.includes('ALLOCATED')));

  it('keeps the daemon memory bounded under a 1 GB output flood', async () => {
    const rss = (): number => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${daemon.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
    const before = rss();
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rss())), 100);
    let result: ShellExecResult;
    try {
      result = await attempt(
        '1 GB output flood',
        "head -c 1000000000 /dev/zero | tr '\\0' x",
        (r) => r.exitCode === 0 && r.truncated.stdout === 1_000_000_000 - 1_048_576,
        240_000,
      );
    } finally {
      clearInterval(sampler);
    }
    report.push({ attempt: 'daemon RSS during the flood', outcome: `${Math.round(before / 1e6)} MB before, ${Math.round(peak / 1e6)} MB peak`, blocked: peak < before + 200e6 });
    assert.equal(result.stdout.length, 1_048_576);
    assert.ok(peak < before + 200e6, `daemon RSS grew from ${before} to ${peak}`);
  });

  it('removes a session whose processes ignore SIGTERM, promptly', async () => {
    const stubborn = await startSession(client, DEBIAN);
    await sh(client, stubborn, 'nohup sh -c \'trap "" TERM INT HUP; while :; do sleep 1; done\' >/dev/null 2>&1 &');
    const started = Date.now();
    await client.rpc.sendRequest(SessionRemove, { session: stubborn });
    const elapsed = Date.now() - started;
    report.push({ attempt: 'remove a session that ignores SIGTERM', outcome: `removed in ${elapsed} ms`, blocked: elapsed < 10_000 });
    assert.ok(elapsed < 10_000);
    await assert.rejects(client.rpc.sendRequest(SessionStart, { image: 'corral/no-such:1' }));
  });

  it('never writes the host folder the session copied', async () => {
    await sh(client, session, 'rm -rf /workspace/* /workspace/.[!.]* 2>/dev/null; echo x > /workspace/README.md');
    assert.equal(fs.readFileSync(path.join(repo.dir, 'README.md'), 'utf8'), '# repo\n');
    assert.equal(fs.readFileSync(hostSecretFile, 'utf8'), HOST_SECRET);
    report.push({ attempt: 'change the host folder through /workspace', outcome: 'host folder unchanged', blocked: true });
  });
});
