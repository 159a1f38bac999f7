import { killScript } from './framing';
import type { JailPort } from './port';

/** Kills, inside a jail, every process whose environment has `marker` (and interrupts `interruptPid`). */
export async function killMarked(jail: JailPort, containerId: string, marker: string, interruptPid?: number): Promise<void> {
  const killer = await jail.spawn(containerId, ['sh', '-c', killScript(marker, interruptPid)], { tty: false });
  killer.stdin.end();
  await killer.done;
}
