// Its own bundle (dist/anthropicSdk.js), loaded when a run first uses Anthropic.
export { default as Anthropic } from '@anthropic-ai/sdk';
