/** What the daemon needs to know about the container engine before the jail arrives. */
export interface EnginePort {
  /** Engine version and API version, or throws with the reason it is unreachable. */
  ping(): Promise<{ version: string; apiVersion: string; host: string }>;
}
