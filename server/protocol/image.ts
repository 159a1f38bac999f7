import * as z from 'zod/mini';
import { CorralNotification, CorralRequest, NoParams, ProgressLine, ProgressToken } from './base';

export const ImageBuildParams = z.strictObject({
  base: z.optional(z.enum(['tiny', 'debian'])),
  tag: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
  /** Echoed in each `image/progress` of this build. */
  progressToken: z.optional(ProgressToken),
});

export const ImageBuildResult = z.strictObject({
  tag: z.string(),
  id: z.string().check(z.startsWith('sha256:')),
  recipe: z.string(),
  source: z.enum(['image', 'cache', 'built']),
  sizeBytes: z.number(),
});
export type ImageBuildResult = z.infer<typeof ImageBuildResult>;

/** `image/build`: builds a workspace image without a registry; progress as `image/progress`. */
export const ImageBuild = new CorralRequest('image/build', ImageBuildParams, ImageBuildResult);

export const ImageSummary = z.strictObject({
  tag: z.string(),
  id: z.string(),
  base: z.string(),
  sizeBytes: z.number(),
  created: z.string(),
});
export type ImageSummary = z.infer<typeof ImageSummary>;

/** `image/list`: images on the engine that Corral built. */
export const ImageList = new CorralRequest('image/list', NoParams, z.array(ImageSummary));

/** `image/progress`: a step of a running `image/build`, to the connection that asked. */
export const ImageProgress = new CorralNotification('image/progress', ProgressLine);
