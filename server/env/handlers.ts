import * as path from 'node:path';
import type Docker from 'dockerode';
import { EnvBuild, EnvList, EnvProgress, EnvPrune, EnvShow, ImagePull } from '../protocol/env';
import { progressLine, type Router } from '../rpc/router';
import { ensureImage } from './registry';
import type { EnvironmentService } from './service';

/** The env/* and image/pull methods, added to the daemon's method table. */
export function registerEnvironmentHandlers(router: Router, environments: EnvironmentService, docker: () => Promise<Docker>): void {
  router
    .on(EnvShow, async (params) => {
      const { root, spec, inputs, image, built } = await environments.show(path.resolve(params.repo));
      return { root, ...spec, hash: inputs.hash, inputs: inputs.files, image, built };
    })
    .on(EnvBuild, async (params, { notify }) => {
      const built = await environments.build(path.resolve(params.repo), (message) => void notify(EnvProgress, progressLine(params, message)));
      return { image: built.image, hash: built.hash, source: built.source, dependencyFolders: built.dependencyFolders, phases: built.phases };
    })
    .on(EnvList, async () => environments.list())
    .on(EnvPrune, async (params) => environments.prune(params.repo === undefined ? undefined : path.resolve(params.repo)))
    .on(ImagePull, async (params, { notify }) => ({
      image: params.image,
      source: await ensureImage(await docker(), params.image, (message) => void notify(EnvProgress, progressLine(params, message))),
    }));
}
