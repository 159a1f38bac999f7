import * as fs from 'node:fs';

/** The host's CA bundle: machines behind a TLS-inspecting proxy need it to reach any registry. */
export const HOST_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const JAIL_CA = '/etc/ssl/certs/corral-host-ca.crt';

/** Variables of the daemon's environment a setup may inherit: proxies and registry locations, never credentials. */
const INHERITED = /^(https?_proxy|no_proxy|all_proxy|npm_config_registry|pip_index_url|pip_extra_index_url|goproxy|gonosumdb|goflags)$/i;

/**
 * What a setup container needs to reach the registries the host reaches: the host's CA bundle,
 * mounted read-only, and the variables that point every package tool at it, plus proxy and
 * registry variables. Tokens, keys and .npmrc credentials are not passed.
 */
export function setupNetwork(hostEnv: NodeJS.ProcessEnv, caBundle = HOST_CA_BUNDLE): { env: string[]; binds: string[] } {
  const env = Object.entries(hostEnv)
    .filter(([name, value]) => INHERITED.test(name) && value !== undefined && value !== '')
    .map(([name, value]) => `${name}=${value}`);
  if (!fs.existsSync(caBundle)) return { env, binds: [] };
  const ca = ['NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'PIP_CERT', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'GIT_SSL_CAINFO', 'CARGO_HTTP_CAINFO'].map(
    (name) => `${name}=${JAIL_CA}`,
  );
  return { env: [...env, ...ca], binds: [`${caBundle}:${JAIL_CA}:ro`] };
}
