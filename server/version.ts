/** The package version, injected by the bundler; `dev` when running from sources. */
declare const CORRAL_VERSION: string | undefined;
export const SERVER_VERSION: string = typeof CORRAL_VERSION === 'string' ? CORRAL_VERSION : 'dev';
