import dns from 'node:dns';
import net from 'node:net';

/**
 * Which addresses a webhook may never reach unless the operator allows private networks: loopback,
 * private, link-local (cloud metadata at 169.254.169.254), CGNAT, unique-local, multicast, reserved
 * and unspecified. IPv4-mapped IPv6 (`::ffff:127.0.0.1`) is checked as the IPv4 it carries, and so
 * are NAT64 and 6to4 addresses (see `embeddedIpv4`).
 */
const FORBIDDEN = new net.BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  FORBIDDEN.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
  ['100::', 64],
] as const) {
  FORBIDDEN.addSubnet(network, prefix, 'ipv6');
}

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
 * IPv6 forms that carry an IPv4 address a gateway will reach: NAT64 (64:ff9b::/96, RFC 6052) and 6to4
 * (2002::/16) are checked as that IPv4; the deprecated IPv4-compatible ::/96 and local-use NAT64
 * (64:ff9b:1::/48) are refused outright.
 */
function embeddedIpv4(bytes: number[]): { ipv4: string } | { refused: true } | null {
  const v4 = (at: number) => ({ ipv4: bytes.slice(at, at + 4).join('.') });
  const startsWith = (prefix: number[]) => prefix.every((b, i) => bytes[i] === b);
  if (startsWith([0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0])) return v4(12);
  if (startsWith([0, 0x64, 0xff, 0x9b, 0, 1])) return { refused: true };
  if (startsWith([0x20, 0x02])) return v4(2);
  if (startsWith([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])) return { refused: true };
  return null;
}

export function isForbiddenAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 0) return true;
  if (family === 4) return FORBIDDEN.check(address, 'ipv4');
  if (FORBIDDEN.check(address, 'ipv6')) return true;
  const embedded = embeddedIpv4(ipv6Bytes(address));
  if (embedded === null) return false;
  return 'refused' in embedded || FORBIDDEN.check(embedded.ipv4, 'ipv4');
}

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to every address it has; injectable so tests can play a rebinding DNS. */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: HostResolver = (hostname) =>
  dns.promises.lookup(hostname, { all: true, verbatim: true });

export class ForbiddenAddressError extends Error {
  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(
      `${host} resolves to ${address}, a loopback, private, link-local or reserved address; ` +
        'webhooks may only reach public addresses (set ZUPY_ALLOW_PRIVATE_NETWORK=1 for local development)',
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
  if (addresses.length === 0) throw new Error(`${host} has no address`);
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
      (error: Error) => callback(Object.assign(error, { code: 'EZUPYFORBIDDEN' })),
    );
  };
}
