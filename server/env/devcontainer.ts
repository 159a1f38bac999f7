import * as path from 'node:path';
// The ESM build: the UMD one (package main) requires its parts by computed paths a bundle cannot follow.
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser/lib/esm/main.js';
import * as z from 'zod/mini';
import { CorralError } from '../errors';
import { ErrorCode } from '../protocol';
import type { EnvironmentSpec } from './definition';
import { insideRepo } from './paths';

/** One lifecycle command as the spec allows it: a shell string, an argv array, or named ones of either. */
const LifecycleCommand = z.union([z.string(), z.array(z.string()), z.record(z.string(), z.union([z.string(), z.array(z.string())]))]);

/** The parts of devcontainer.json Corral honours; the rest is ignored (it is a big spec). */
const DevcontainerFile = z.looseObject({
  image: z.optional(z.string().check(z.minLength(1))),
  dockerFile: z.optional(z.string()),
  context: z.optional(z.string()),
  build: z.optional(
    z.looseObject({ dockerfile: z.optional(z.string()), dockerFile: z.optional(z.string()), context: z.optional(z.string()), args: z.optional(z.record(z.string(), z.string())) }),
  ),
  containerEnv: z.optional(z.record(z.string(), z.string())),
  remoteUser: z.optional(z.string()),
  containerUser: z.optional(z.string()),
  features: z.optional(z.record(z.string(), z.unknown())),
  forwardPorts: z.optional(z.array(z.union([z.number(), z.string()]))),
  onCreateCommand: z.optional(LifecycleCommand),
  updateContentCommand: z.optional(LifecycleCommand),
  postCreateCommand: z.optional(LifecycleCommand),
});

/** The lifecycle hooks that prepare the workspace, in the order the spec runs them. */
const HOOKS = ['onCreateCommand', 'updateContentCommand', 'postCreateCommand'] as const;

/**
 * A devcontainer.json (JSONC) as an environment. `file` is the definition's path relative to
 * `root`. Features need a registry: named in a warning and skipped.
 */
export function fromDevcontainer(root: string, file: string, text: string): EnvironmentSpec {
  const errors: ParseError[] = [];
  const raw: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    const first = errors[0]!;
    throw new CorralError(ErrorCode.InvalidParams, `${file} is not valid JSONC: ${printParseErrorCode(first.error)} at offset ${first.offset}`, `fix ${file}`);
  }
  const parsed = DevcontainerFile.safeParse(raw);
  if (!parsed.success) {
    throw new CorralError(
      ErrorCode.InvalidParams,
      `${file} does not fit the devcontainer spec: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      `fix ${file}`,
    );
  }
  const dc = parsed.data;
  const folder = path.dirname(path.join(root, file));
  const reasons = [`${file} was found (devcontainer.json comes after .corral/environment.json)`];
  const warnings: string[] = [];
  const dockerfile = dc.build?.dockerfile ?? dc.build?.dockerFile ?? dc.dockerFile;
  let base: EnvironmentSpec['base'];
  if (dockerfile !== undefined) {
    const context = insideRepo(root, folder, dc.build?.context ?? dc.context ?? '.', 'the build context');
    const absolute = insideRepo(root, folder, dockerfile, 'the Dockerfile');
    base = { kind: 'dockerfile', dockerfile: path.relative(root, absolute), context: path.relative(root, context) || '.', args: dc.build?.args ?? {} };
    reasons.push(`it builds ${base.dockerfile}`);
  } else if (dc.image !== undefined) {
    base = { kind: 'image', image: dc.image };
    reasons.push(`it names the image ${dc.image}`);
  } else {
    throw new CorralError(
      ErrorCode.InvalidParams,
      `${file} names neither an image nor a Dockerfile`,
      'add "image" or "build": { "dockerfile": … } (Docker Compose devcontainers are not supported)',
    );
  }
  const features = Object.keys(dc.features ?? {});
  if (features.length > 0) warnings.push(`devcontainer features need a registry and are skipped: ${features.join(', ')}; install what they provide in the Dockerfile instead`);
  const user = dc.remoteUser ?? dc.containerUser;
  if (user !== undefined) warnings.push(`${file} asks for user ${user}; sessions always run as uid 1000`);
  const setup = HOOKS.flatMap((hook) => commandsOf(dc[hook]));
  return {
    source: 'devcontainer',
    file,
    base,
    setup,
    env: dc.containerEnv ?? {},
    ports: (dc.forwardPorts ?? []).flatMap((p) => (typeof p === 'number' ? [p] : /^\d+$/.test(p) ? [Number(p)] : [])),
    dependencyFolders: [],
    reasons,
    warnings,
  };
}

/** A lifecycle command as shell lines: argv arrays are quoted, named ones run one after another. */
export function commandsOf(command: z.infer<typeof LifecycleCommand> | undefined): string[] {
  if (command === undefined) return [];
  if (typeof command === 'string') return command.trim() === '' ? [] : [command];
  if (Array.isArray(command)) return command.length === 0 ? [] : [command.map(shellQuote).join(' ')];
  return Object.values(command).flatMap((c) => commandsOf(c));
}

export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
