import { formatDn, parseDn } from '../common/dn';

/**
 * Values one small step from a valid one, aimed at the ways real implementations get a rule
 * wrong (prefix and case-insensitive matching, a lenient slash, subset DN comparison). Pure.
 */
export const nearMiss = {
  /** The SSA URI with characters appended to its path: accepted by startsWith matching. */
  extended: (uri: string) => {
    const u = new URL(uri);
    u.pathname = `${u.pathname.replace(/\/$/, '')}/extra`;
    return u.toString();
  },
  /** The path re-cased (scheme and host keep their case, which RFC 3986 6.2.2.1 makes insignificant): accepted by case-insensitive matching. */
  recased: (uri: string) => {
    const u = new URL(uri);
    const path = u.pathname === '/' ? '/CALLBACK' : u.pathname.replace(/[a-z]/g, (c) => c.toUpperCase());
    return `${u.protocol}//${u.host}${path === u.pathname ? `${path}X` : path}${u.search}`;
  },
  /** A trailing slash added, or removed when there is one: accepted by slash-insensitive matching. */
  slash: (uri: string) => {
    const u = new URL(uri);
    const path = u.pathname.endsWith('/') && u.pathname !== '/' ? u.pathname.slice(0, -1) : `${u.pathname}/`;
    return `${u.protocol}//${u.host}${path}${u.search}`;
  },
  /** A query string added: accepted by matching that ignores the query. */
  query: (uri: string) => {
    const u = new URL(uri);
    u.searchParams.append('next', 'https://evil.example/');
    return u.toString();
  },
  /** The host extended into another domain: accepted by host prefix matching. */
  hostSuffix: (uri: string) => {
    const u = new URL(uri);
    u.hostname = `${u.hostname}.evil.example`;
    return u.toString();
  },
  /** Characters put before the host (tpp.example.com becomes eviltpp.example.com): accepted by host suffix (endsWith) matching. */
  hostPrefix: (uri: string) => {
    const u = new URL(uri);
    u.hostname = `evil${u.hostname}`;
    return u.toString();
  },
  /** The same origin, another path: accepted by matching that compares only the scheme, host and port. */
  otherPath: (uri: string) => {
    const u = new URL(uri);
    u.pathname = `/evil${u.pathname}`;
    u.search = '';
    return u.toString();
  },
  /** Another port on the same host: accepted by matching that compares the hostname but not the port. */
  port: (uri: string) => {
    const u = new URL(uri);
    u.port = u.port === '8443' ? '9443' : '8443';
    return u.toString();
  },
  /** The SSA origin as userinfo before another host (https://tpp.example.com@evil.example/cb): accepted by string prefix matching on the origin. */
  userinfo: (uri: string) => {
    const u = new URL(uri);
    return `${u.protocol}//${u.host}@evil.example${u.pathname}${u.search}`;
  },
  /** A strict subset of the DN's RDNs (the CN alone, or all but the last): accepted by subset or contains comparison. */
  dnSubset: (dn: string) => {
    const rdns = parseDn(dn);
    const cn = rdns.filter((r) => r.some((a) => a.type === '2.5.4.3'));
    const subset = cn.length > 0 && cn.length < rdns.length ? cn : rdns.slice(0, Math.max(1, rdns.length - 1));
    return formatDn(subset);
  },
  /** The same RDNs, one value (the CN, else the first) extended by a character: accepted by prefix comparison. */
  dnAltered: (dn: string) => {
    const rdns = parseDn(dn);
    const at = Math.max(0, rdns.findIndex((r) => r.some((a) => a.type === '2.5.4.3')));
    return formatDn(rdns.map((r, i) => (i === at ? r.map((a, j) => (j === 0 ? { ...a, value: `${a.value}x` } : a)) : r)));
  },
};
