import type Docker from 'dockerode';
import { buildImage, listImages } from '../docker/images';
import type { ImageBuildResult, ImageSummary } from '../protocol';

/**
 * Workspace images Corral builds without a registry (`corral image build|ls`): the engine is
 * loaded on first use, the root file systems are cached by recipe in `cacheDir`.
 */
export class ImageService {
  constructor(
    private readonly docker: () => Promise<Docker>,
    private readonly cacheDir: string,
  ) {}

  /** Builds (or finds) the image of `base` (debian by default); each step is told to `progress`. */
  async build(request: { base?: 'tiny' | 'debian'; tag?: string }, progress: (message: string) => void): Promise<ImageBuildResult> {
    return buildImage(await this.docker(), {
      base: request.base ?? 'debian',
      ...(request.tag === undefined ? {} : { tag: request.tag }),
      cacheDir: this.cacheDir,
      progress,
    });
  }

  async list(): Promise<ImageSummary[]> {
    return listImages(await this.docker());
  }
}
