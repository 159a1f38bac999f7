import { MiB, resolveLimits, type JailLimits } from '../jail/policy';

/** What `session/start` asks for, as the service takes it (the edge adds the progress callback). */
export interface StartRequest {
  repo?: string;
  image?: string;
  name?: string;
  withChanges?: boolean;
  limits?: { memoryMb?: number; cpus?: number; pids?: number; tmpMb?: number };
  /** Lines of an environment build this start waits for (setup output), for the caller to show. */
  progress?: (message: string) => void;
}

/** The container limits a start asks for, within the admin's maxima (refused outside them). */
export function limitsOf(request: StartRequest, maxima: JailLimits): JailLimits {
  return resolveLimits(
    {
      ...(request.limits?.memoryMb === undefined ? {} : { memoryBytes: request.limits.memoryMb * MiB }),
      ...(request.limits?.cpus === undefined ? {} : { cpus: request.limits.cpus }),
      ...(request.limits?.pids === undefined ? {} : { pids: request.limits.pids }),
      ...(request.limits?.tmpMb === undefined ? {} : { tmpBytes: request.limits.tmpMb * MiB }),
    },
    undefined,
    maxima,
  );
}
