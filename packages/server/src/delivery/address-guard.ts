import dns from 'node:dns';
import net from 'node:net';

/**
 * Every range the IANA special-purpose registries mark as not globally reachable, plus multicast, is
 * refused unless the operator allows private networks (ZUPY_ALLOW_PRIVATE_NETWORK=1):
 * https://www.iana.org/assignments/iana-ipv4-special-registry and
 * https://www.iana.org/assignments/iana-ipv6-special-registry. Where a registry block holds a few
 * globally reachable exceptions (192.0.0.9, 2001:1::1, 2001:20::/28 …) the whole block is refused: no
 * webhook receiver lives there, and one rule is easier to trust than a block with holes. What each
 * block is stays a comment: as data nothing read it.
 */
const FORBIDDEN_IPV4: readonly (readonly [string, number])[] = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private use
  ['100.64.0.0', 10], // shared address space (CGNAT)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata at 169.254.169.254)
  ['172.16.0.0', 12], // private use
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation (TEST-NET-1)
  ['192.88.99.0', 24], // deprecated 6to4 relay anycast
  ['192.168.0.0', 16], // private use
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation (TEST-NET-2)
  ['203.0.113.0', 24], // documentation (TEST-NET-3)
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and 255.255.255.255 limited broadcast
];
const FORBIDDEN_IPV6: readonly (readonly [string, number])[] = [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b:1::', 48], // local-use IPv4/IPv6 translation
  ['100::', 64], // discard-only
  ['100:0:0:1::', 64], // dummy IPv6 prefix
  ['2001::', 23], // IETF protocol assignments (Teredo 2001::/32, benchmarking 2001:2::/48, ORCHID)
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4: the relay, not the receiver, decides where it goes
  ['3fff::', 20], // documentation
  ['5f00::', 16], // segment routing (SRv6) SIDs
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // deprecated site-local
  ['ff00::', 8], // multicast
];
const FORBIDDEN = new net.BlockList();
for (const [network, prefix] of FORBIDDEN_IPV4) FORBIDDEN.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of FORBIDDEN_IPV6) FORBIDDEN.addSubnet(network, prefix, 'ipv6');
/**
 * IANA allocates global unicast IPv6 only from 2000::/3; the rest of the space is reserved, local or
 * multicast, and reached only through the IPv4 embedded in it (see `embeddedIpv4`).
 */
const GLOBAL_UNICAST_IPV6 = new net.BlockList();
GLOBAL_UNICAST_IPV6.addSubnet('2000::', 3, 'ipv6');

/** The 16 bytes of an IPv6 address (`::` and a trailing dotted IPv4 allowed); `net.isIP` said it is one. */
function ipv6Bytes(address: string): number[] {
  let text = address.split('%')[0]!;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::') as [string, string | undefined];
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const words =
    tail === undefined
      ? groups(head)
      : [
          ...groups(head),
          ...Array<number>(8 - groups(head).length - groups(tail).length).fill(0),
          ...groups(tail),
        ];
  return words.flatMap((w) => [w >> 8, w & 0xff]);
}

/**
 * IPv6 forms that carry an IPv4 address the socket (or a gateway) will reach: IPv4-mapped
 * (::ffff:0:0/96, what a dual-stack socket connects to as IPv4) and NAT64 (64:ff9b::/96, RFC 6052)
 * are checked as that IPv4; the deprecated IPv4-compatible ::/96 is refused outright.
 */
function embeddedIpv4(bytes: number[]): { ipv4: string } | { refused: true } | null {
  const v4 = (at: number) => ({ ipv4: bytes.slice(at, at + 4).join('.') });
  const startsWith = (prefix: number[]) => prefix.every((b, i) => bytes[i] === b);
  if (startsWith([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff])) return v4(12);
  if (startsWith([0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0])) return v4(12);
  if (startsWith([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])) return { refused: true };
  return null;
}

export function isForbiddenAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 0) return true;
  if (family === 4) return FORBIDDEN.check(address, 'ipv4');
  const embedded = embeddedIpv4(ipv6Bytes(address));
  if (embedded !== null) return 'refused' in embedded || FORBIDDEN.check(embedded.ipv4, 'ipv4');
  return FORBIDDEN.check(address, 'ipv6') || !GLOBAL_UNICAST_IPV6.check(address, 'ipv6');
}

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to every address it has; injectable so tests can play a rebinding DNS. */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: HostResolver = (hostname) =>
  dns.promises.lookup(hostname, { all: true, verbatim: true });

/**
 * A host that is, or resolves to, a non-public address. The message names the address only when the
 * caller typed it (an IP literal): naming what a host name resolves to would let a tenant map the
 * operator's internal DNS one registration at a time. `address` keeps it for the operator's logs.
 */
export class ForbiddenAddressError extends Error {
  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(
      `${host} ${host === address ? 'is' : 'resolves to'} a non-public (loopback, private, link-local or ` +
        'reserved) address; webhooks may only reach public addresses ' +
        '(set ZUPY_ALLOW_PRIVATE_NETWORK=1 for local development)',
    );
    this.name = 'ForbiddenAddressError';
  }
}

/** `[::1]` → `::1`: URL host names keep IPv6 brackets. */
export function bareHost(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

/**
 * Resolves `hostname` and throws {@link ForbiddenAddressError} when any of its addresses is forbidden.
 * The WHATWG URL parser has already turned numeric tricks (`2130706433`, `0x7f.1`, `0177.0.0.1`) into
 * dotted IPv4, so an IP literal is checked as it stands.
 */
export async function vetHost(hostname: string, resolve: HostResolver): Promise<ResolvedAddress[]> {
  const host = bareHost(hostname);
  const family = net.isIP(host);
  const addresses = family !== 0 ? [{ address: host, family }] : await resolve(host);
  if (addresses.length === 0)
    throw Object.assign(new Error(`${host} has no address`), { code: 'ENOTFOUND', hostname: host });
  for (const { address } of addresses) {
    if (isForbiddenAddress(address)) throw new ForbiddenAddressError(host, address);
  }
  return addresses;
}

/** Throws when `hostname` is an IP literal that is forbidden; host names are left to the lookup. */
export function vetLiteralHost(hostname: string): void {
  const host = bareHost(hostname);
  if (net.isIP(host) !== 0 && isForbiddenAddress(host)) throw new ForbiddenAddressError(host, host);
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address?: string | ResolvedAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for the HTTP client's sockets: the connection goes to the very addresses that were
 * vetted, so a DNS answer that changes between the check and the connect cannot slip through.
 */
export function guardedLookup(resolve: HostResolver, allowPrivate: boolean) {
  return (hostname: string, options: { all?: boolean } | number, callback: LookupCallback): void => {
    const all = typeof options === 'object' && options.all === true;
    const resolved = allowPrivate ? resolve(bareHost(hostname)) : vetHost(hostname, resolve);
    resolved.then(
      (addresses) => {
        if (all) return callback(null, addresses);
        const first = addresses[0]!;
        callback(null, first.address, first.family);
      },
      // Only a refused address is marked as one: a name that does not resolve keeps its own code
      // (ENOTFOUND…), so the attempt says "host not found" (attempt-error.ts).
      (error: NodeJS.ErrnoException) =>
        callback(
          error instanceof ForbiddenAddressError ? Object.assign(error, { code: 'EZUPYFORBIDDEN' }) : error,
        ),
    );
  };
}
