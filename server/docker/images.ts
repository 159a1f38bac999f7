import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import { pack } from 'tar-stream';
import { CorralError } from '../errors';
import { ErrorCode } from '../protocol';

const run = promisify(execFile);

export type ImageBase = 'tiny' | 'debian';

/** What goes into each base, hashed into the cache key and the image label. */
const RECIPES: Record<ImageBase, { packages: string[]; version: number }> = {
  tiny: { packages: ['busybox-static'], version: 1 },
  debian: { packages: ['git', 'bash', 'coreutils', 'python3', 'ca-certificates', 'procps', 'less'], version: 1 },
};

export const DEFAULT_IMAGE_TAG: Record<ImageBase, string> = { tiny: 'corral/tiny:latest', debian: 'corral/debian:latest' };

export interface BuildOptions {
  base: ImageBase;
  tag?: string;
  /** Where slow root file systems are kept between builds, keyed by recipe. */
  cacheDir: string;
  progress?: (message: string) => void;
}

export interface BuiltImage {
  tag: string;
  id: string;
  recipe: string;
  /** `image`: the engine already had it; `cache`: imported from the cached root file system. */
  source: 'image' | 'cache' | 'built';
  sizeBytes: number;
}

export function recipeHash(base: ImageBase): string {
  return createHash('sha256')
    .update(JSON.stringify({ base, ...RECIPES[base] }))
    .digest('hex')
    .slice(0, 16);
}

/**
 * Builds a workspace image without any registry: a root file system made here, then
 * `docker import`. An image with the same recipe label is reused; the debian root file system
 * (about a minute of debootstrap) is cached as a tarball.
 */
export async function buildImage(docker: Docker, options: BuildOptions): Promise<BuiltImage> {
  const tag = options.tag ?? DEFAULT_IMAGE_TAG[options.base];
  const recipe = recipeHash(options.base);
  const say = options.progress ?? (() => undefined);
  const existing = await docker
    .getImage(tag)
    .inspect()
    .catch(() => undefined);
  if (existing?.Config?.Labels?.['corral.recipe'] === recipe) {
    say(`${tag} is up to date`);
    return { tag, id: existing.Id, recipe, source: 'image', sizeBytes: existing.Size };
  }
  fs.mkdirSync(options.cacheDir, { recursive: true, mode: 0o700 });
  const cached = path.join(options.cacheDir, `${options.base}-${recipe}.tar`);
  let source: BuiltImage['source'] = 'cache';
  if (!fs.existsSync(cached)) {
    source = 'built';
    const partial = `${cached}.partial-${process.pid}`;
    try {
      if (options.base === 'tiny') await writeTinyRootfs(partial, say);
      else await writeDebianRootfs(partial, say);
      fs.renameSync(partial, cached);
    } finally {
      fs.rmSync(partial, { force: true });
    }
  } else {
    say(`using the cached root file system ${path.basename(cached)}`);
  }
  say(`importing ${tag}`);
  const [repo, version] = splitTag(tag);
  const output = await docker.importImage(fs.createReadStream(cached), {
    repo,
    tag: version,
    changes: ['CMD ["/bin/sh"]', 'USER 1000:1000', 'WORKDIR /workspace', `LABEL corral.recipe=${recipe} corral.base=${options.base}`],
  });
  await new Promise<void>((resolve, reject) => docker.modem.followProgress(output, (error) => (error ? reject(error) : resolve())));
  const image = await docker.getImage(tag).inspect();
  say(`built ${tag} (${Math.round(image.Size / 1024 / 1024)} MB)`);
  return { tag, id: image.Id, recipe, source, sizeBytes: image.Size };
}

/** Images on the engine that Corral built (labelled with a recipe). */
export async function listImages(docker: Docker): Promise<{ tag: string; id: string; base: string; sizeBytes: number; created: string }[]> {
  const images = await docker.listImages({ filters: { label: ['corral.recipe'] } });
  return images.flatMap((image) =>
    (image.RepoTags ?? []).map((tag) => ({
      tag,
      id: image.Id,
      base: image.Labels?.['corral.base'] ?? '',
      sizeBytes: image.Size,
      created: new Date(image.Created * 1000).toISOString(),
    })),
  );
}

function splitTag(tag: string): [string, string] {
  const colon = tag.lastIndexOf(':');
  return colon > tag.lastIndexOf('/') ? [tag.slice(0, colon), tag.slice(colon + 1)] : [tag, 'latest'];
}

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nagent:x:1000:1000:agent:/tmp:/bin/sh\n';
const GROUP = 'root:x:0:\nagent:x:1000:\n';

/** busybox-static and its applets, an `agent` user 1000, and the mount points. About 2 MB. */
async function writeTinyRootfs(target: string, say: (m: string) => void): Promise<void> {
  const busybox = '/bin/busybox';
  if (!fs.existsSync(busybox)) {
    throw new CorralError(ErrorCode.NotFound, 'busybox-static is not installed on this machine', 'apt-get install busybox-static (the tiny image copies it)');
  }
  say('assembling the tiny root file system');
  const { stdout } = await run(busybox, ['--list-full']);
  const archive = pack();
  const written = new Promise<void>((resolve, reject) => {
    const out = fs.createWriteStream(target, { mode: 0o600 });
    archive.pipe(out);
    out.on('finish', resolve);
    out.on('error', reject);
  });
  const dir = (name: string, mode = 0o755, uid = 0): void => void archive.entry({ name, type: 'directory', mode, uid, gid: uid });
  for (const name of ['bin', 'sbin', 'usr', 'usr/bin', 'usr/sbin', 'etc', 'proc', 'sys', 'dev']) dir(name);
  dir('tmp', 0o1777);
  dir('workspace', 0o755, 1000);
  archive.entry({ name: 'etc/passwd', mode: 0o644 }, PASSWD);
  archive.entry({ name: 'etc/group', mode: 0o644 }, GROUP);
  archive.entry({ name: 'bin/busybox', mode: 0o755 }, fs.readFileSync(busybox));
  for (const applet of stdout.split('\n').filter((line) => line.length > 0 && line !== 'bin/busybox')) {
    archive.entry({ name: applet, type: 'symlink', linkname: '/bin/busybox', mode: 0o777 });
  }
  archive.finalize();
  await written;
}

/** debootstrap minbase of bookworm plus the recipe's packages, user 1000, no apt lists or docs. Needs root. */
async function writeDebianRootfs(target: string, say: (m: string) => void): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new CorralError(
      ErrorCode.Forbidden,
      'building the debian image needs root (debootstrap and chroot)',
      'run `sudo corral image build --base debian` once, or use --base tiny',
    );
  }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'corral-rootfs-'));
  try {
    const mirror = debianMirror();
    say(`debootstrap bookworm from ${mirror} (about a minute)`);
    await run('debootstrap', ['--variant=minbase', `--include=${RECIPES.debian.packages.join(',')}`, 'bookworm', root, mirror], {
      maxBuffer: 64 * 1024 * 1024,
    });
    say('adding the agent user and cleaning up');
    await run('chroot', [root, 'sh', '-c', 'groupadd -g 1000 agent && useradd -u 1000 -g 1000 -d /tmp -s /bin/bash agent && mkdir -p /workspace && chown 1000:1000 /workspace']);
    for (const junk of ['var/lib/apt/lists', 'var/cache/apt', 'usr/share/doc', 'usr/share/man', 'usr/share/info', 'usr/share/locale']) {
      fs.rmSync(path.join(root, junk), { recursive: true, force: true });
    }
    say('packing the root file system');
    await run('tar', ['--numeric-owner', '-C', root, '-cf', target, '.'], { maxBuffer: 16 * 1024 * 1024 });
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** The machine's own Debian mirror (deb822 `URIs:` or sources.list), else deb.debian.org. */
function debianMirror(): string {
  for (const file of ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list']) {
    try {
      const text = fs.readFileSync(file, 'utf8');
      const match = /^URIs:\s*(\S+)/m.exec(text) ?? /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+bookworm\s/m.exec(text);
      if (match?.[1]) return match[1];
    } catch {
      // Try the next one.
    }
  }
  return 'http://deb.debian.org/debian';
}
