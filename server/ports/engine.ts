/** What the daemon needs to know about the container engine before the jail arrives. */
export interface EnginePort {
  /** Engine version and API version, or throws with the reason it is unreachable. */
  ping(): Promise<{ version: string; apiVersion: string; host: string }>;
  /** The image's id and size, or undefined when the engine does not have it. */
  image(tag: string): Promise<{ id: string; sizeBytes: number } | undefined>;
}
