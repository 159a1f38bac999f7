// Its own bundle (dist/openaiSdk.js), loaded when a run first uses an OpenAI-compatible provider.
export { default as OpenAI } from 'openai';
