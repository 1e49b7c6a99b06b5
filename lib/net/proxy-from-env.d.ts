// proxy-from-env 2.x ships no type declarations (https://github.com/Rob--W/proxy-from-env).
declare module "proxy-from-env" {
  /** The proxy URL for `url` from the *_PROXY and NO_PROXY environment variables, or "" for a direct connection. */
  export function getProxyForUrl(url: string): string;
}
