import * as z from 'zod/mini';
import { CorralNotification, CorralRequest } from './base';

export const ImageBuildParams = z.strictObject({
  base: z.optional(z.enum(['tiny', 'debian'])),
  tag: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
});

export interface ImageBuildResult {
  tag: string;
  id: string;
  recipe: string;
  source: 'image' | 'cache' | 'built';
  sizeBytes: number;
}

/** `image/build`: builds a workspace image without a registry; progress as `image/progress`. */
export const ImageBuild = new CorralRequest<typeof ImageBuildParams, ImageBuildResult>('image/build', ImageBuildParams, 'owner');

export interface ImageSummary {
  tag: string;
  id: string;
  base: string;
  sizeBytes: number;
  created: string;
}

const ImageListParams = z.optional(z.strictObject({}));
/** `image/list`: images on the engine that Corral built. */
export const ImageList = new CorralRequest<typeof ImageListParams, ImageSummary[]>('image/list', ImageListParams);

/** `image/progress`: a step of a running `image/build`, to the connection that asked. */
export const ImageProgress = new CorralNotification<{ message: string }>('image/progress');
