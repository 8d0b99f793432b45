import { describe, expect, it } from 'vitest';
import {
  ForbiddenAddressError,
  bareHost,
  guardedLookup,
  isForbiddenAddress,
  systemResolver,
  vetHost,
  vetLiteralHost,
  type ResolvedAddress,
} from './address-guard.js';

describe('address guard', () => {
  it.each([
    '127.0.0.1',
    '127.255.255.254',
    '0.0.0.0',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '100.127.255.255',
    '224.0.0.1',
    '255.255.255.255',
    '192.0.0.8',
    '198.18.0.1',
    '::1',
    '::',
    'fc00::1',
    'fd00:ec2::254',
    'fe80::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '::ffff:169.254.169.254',
    // NAT64 and 6to4 carry an IPv4 a gateway will reach; IPv4-compatible and local NAT64 are refused.
    '64:ff9b::7f00:1',
    '64:ff9b::127.0.0.1',
    '64:ff9b::a9fe:a9fe',
    '64:ff9b::10.0.0.1',
    '2002:7f00:1::',
    '2002:c0a8:101::1',
    '::127.0.0.1',
    '::8.8.8.8',
    '64:ff9b:1::808:808',
    'not-an-ip',
  ])('refuses %s', (address) => {
    expect(isForbiddenAddress(address)).toBe(true);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '100.128.0.1',
    '192.169.0.1',
    '2001:4860:4860::8888',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '64:ff9b::8.8.8.8',
    '2606:4700::1111',
    // Every part of the embedded IPv4 more than one digit long.
    '::ffff:203.113.150.151',
    '64:ff9b::203.113.150.151',
  ])('allows %s', (address) => {
    expect(isForbiddenAddress(address)).toBe(false);
  });

  it('sees through numeric tricks, which the URL parser turns into dotted IPv4', () => {
    for (const url of [
      'http://2130706433/',
      'http://0x7f.1/',
      'http://0177.0.0.1/',
      'http://127.1/',
      'http://[::ffff:127.0.0.1]/',
    ]) {
      expect(() => vetLiteralHost(new URL(url).hostname), url).toThrow(ForbiddenAddressError);
    }
    expect(() => vetLiteralHost('example.com')).not.toThrow();
  });

  it('refuses a host name when any of its addresses is private', async () => {
    const resolve = () =>
      Promise.resolve([
        { address: '8.8.8.8', family: 4 },
        { address: '10.0.0.5', family: 4 },
      ]);
    await expect(vetHost('mixed.example', resolve)).rejects.toThrow(
      /mixed\.example resolves to a non-public .*ZUPY_ALLOW_PRIVATE_NETWORK/,
    );
    await expect(
      vetHost('localhost', (h) => import('node:dns').then((d) => d.promises.lookup(h, { all: true }))),
    ).rejects.toThrow(ForbiddenAddressError);
    const ok = () => Promise.resolve([{ address: '8.8.4.4', family: 4 }]);
    await expect(vetHost('public.example', ok)).resolves.toEqual([{ address: '8.8.4.4', family: 4 }]);
  });

  it('does not name the address a host name resolves to (it would map internal DNS), only a typed literal', async () => {
    const resolve = () => Promise.resolve([{ address: '10.20.30.40', family: 4 }]);
    const error = await vetHost('crm.internal.example', resolve).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForbiddenAddressError);
    expect((error as Error).message).not.toContain('10.20.30.40');
    expect((error as ForbiddenAddressError).address).toBe('10.20.30.40');
    expect(() => vetLiteralHost('10.20.30.40')).toThrow(/^10\.20\.30\.40 is a non-public/);
  });

  /** [range, first, last, just outside (allowed)…] per IANA special-purpose entry. */
  const RANGES: [string, string, string, ...string[]][] = [
    ['0.0.0.0/8', '0.0.0.0', '0.255.255.255', '1.0.0.0'],
    ['10.0.0.0/8', '10.0.0.0', '10.255.255.255', '9.255.255.255', '11.0.0.0'],
    ['100.64.0.0/10', '100.64.0.0', '100.127.255.255', '100.63.255.255', '100.128.0.0'],
    ['127.0.0.0/8', '127.0.0.0', '127.255.255.255', '126.255.255.255', '128.0.0.0'],
    ['169.254.0.0/16', '169.254.0.0', '169.254.255.255', '169.253.255.255', '169.255.0.0'],
    ['172.16.0.0/12', '172.16.0.0', '172.31.255.255', '172.15.255.255', '172.32.0.0'],
    ['192.0.0.0/24', '192.0.0.0', '192.0.0.255', '191.255.255.255', '192.0.1.0'],
    ['192.0.2.0/24', '192.0.2.0', '192.0.2.255', '192.0.1.255', '192.0.3.0'],
    ['192.88.99.0/24', '192.88.99.0', '192.88.99.255', '192.88.98.255', '192.88.100.0'],
    ['192.168.0.0/16', '192.168.0.0', '192.168.255.255', '192.167.255.255', '192.169.0.0'],
    ['198.18.0.0/15', '198.18.0.0', '198.19.255.255', '198.17.255.255', '198.20.0.0'],
    ['198.51.100.0/24', '198.51.100.0', '198.51.100.255', '198.51.99.255', '198.51.101.0'],
    ['203.0.113.0/24', '203.0.113.0', '203.0.113.255', '203.0.112.255', '203.0.114.0'],
    ['224.0.0.0/4 multicast', '224.0.0.0', '239.255.255.255', '223.255.255.255'],
    ['240.0.0.0/4', '240.0.0.0', '255.255.255.254'],
    ['255.255.255.255/32', '255.255.255.255', '255.255.255.255'],
    ['::/128', '::', '::'],
    ['::1/128', '::1', '::1'],
    ['::ffff:0:0/96 (as its IPv4)', '::ffff:0.0.0.0', '::ffff:255.255.255.255', '::ffff:8.8.8.8'],
    ['64:ff9b:1::/48', '64:ff9b:1::', '64:ff9b:1:ffff:ffff:ffff:ffff:ffff', '64:ff9b::808:808'],
    ['100::/64', '100::', '100::ffff:ffff:ffff:ffff'],
    [
      '2001::/23',
      '2001::',
      '2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff',
      '2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
      '2001:200::',
    ],
    ['2001::/32 Teredo', '2001::', '2001:0:ffff:ffff:ffff:ffff:ffff:ffff'],
    ['2001:2::/48 benchmarking', '2001:2::', '2001:2:0:ffff:ffff:ffff:ffff:ffff'],
    ['2001:10::/28 ORCHID', '2001:10::', '2001:1f:ffff:ffff:ffff:ffff:ffff:ffff'],
    [
      '2001:db8::/32',
      '2001:db8::',
      '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff',
      '2001:db7:ffff:ffff:ffff:ffff:ffff:ffff',
      '2001:db9::',
    ],
    [
      '2002::/16 6to4',
      '2002::',
      '2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
      '2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
      '2003::',
    ],
    [
      '3fff::/20',
      '3fff::',
      '3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff',
      '3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
      '3fff:1000::',
    ],
    ['5f00::/16', '5f00::', '5f00:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
    ['fc00::/7', 'fc00::', 'fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
    ['fe80::/10', 'fe80::', 'febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
    ['ff00::/8 multicast', 'ff00::', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
    [
      'outside 2000::/3 global unicast',
      '4000::',
      '1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
      '2000::',
      '3fff:ffff::',
    ],
  ];
  it.each(RANGES)('refuses %s from %s to %s, and not just outside it', (_range, first, last, ...outside) => {
    expect(isForbiddenAddress(first), first).toBe(true);
    expect(isForbiddenAddress(last), last).toBe(true);
    for (const address of outside) expect(isForbiddenAddress(address), address).toBe(false);
  });

  it.each(['2002:808:808::1', '2001:0:4136:e378:8000:63bf:3fff:fdd2', 'fe80::1%eth0', '::ffff:192.0.2.1'])(
    'refuses %s (6to4 and Teredo whatever they carry, a scoped link-local, mapped documentation)',
    (address) => {
      expect(isForbiddenAddress(address)).toBe(true);
    },
  );

  it('checks an IP literal as it stands, never asking the resolver; a name with no address is refused', async () => {
    const publicAnswer = () => Promise.resolve([{ address: '8.8.8.8', family: 4 }]);
    await expect(vetHost('10.0.0.1', publicAnswer)).rejects.toThrow(ForbiddenAddressError);
    await expect(vetHost('[::1]', publicAnswer)).rejects.toThrow(/^::1 is a non-public/);
    await expect(vetHost('nowhere.example', () => Promise.resolve([]))).rejects.toThrow(
      /^nowhere\.example has no address$/,
    );
  });

  it('says the whole refusal', () => {
    expect(() => vetLiteralHost('127.0.0.1')).toThrow(
      new ForbiddenAddressError('127.0.0.1', '127.0.0.1').message,
    );
    expect(new ForbiddenAddressError('crm.example', '10.0.0.1').message).toBe(
      'crm.example resolves to a non-public (loopback, private, link-local or reserved) address; ' +
        'webhooks may only reach public addresses (set ZUPY_ALLOW_PRIVATE_NETWORK=1 for local development)',
    );
  });

  it('the system resolver gives every address of a name (localhost is refused through it)', async () => {
    const addresses = await systemResolver('localhost');
    expect(Array.isArray(addresses)).toBe(true);
    expect(addresses.length).toBeGreaterThan(0);
    await expect(vetHost('localhost', systemResolver)).rejects.toThrow(ForbiddenAddressError);
  });

  it('strips the brackets of an IPv6 host only when both are there', () => {
    expect(bareHost('[::1]')).toBe('::1');
    expect(bareHost('[::1')).toBe('[::1');
    expect(bareHost('::1]')).toBe('::1]');
    expect(bareHost('example.com')).toBe('example.com');
  });

  describe('guardedLookup, the sockets’ lookup', () => {
    const answer: ResolvedAddress[] = [
      { address: '8.8.8.8', family: 4 },
      { address: '2001:4860:4860::8888', family: 6 },
    ];
    const lookup = (
      allowPrivate: boolean,
      addresses: ResolvedAddress[],
      options: { all?: boolean } | number,
    ) =>
      new Promise<unknown[]>((resolve) => {
        guardedLookup(() => Promise.resolve(addresses), allowPrivate)('host.example', options, (...args) =>
          resolve(args),
        );
      });

    it('answers every vetted address when asked for all, else the first with its family', async () => {
      expect(await lookup(false, answer, { all: true })).toEqual([null, answer]);
      expect(await lookup(false, answer, { all: false })).toEqual([null, '8.8.8.8', 4]);
      expect(await lookup(false, answer, {})).toEqual([null, '8.8.8.8', 4]);
      expect(await lookup(false, answer, 4)).toEqual([null, '8.8.8.8', 4]);
    });

    it('fails a forbidden answer with the code the delivery recognises; with private networks allowed it passes', async () => {
      const [error] = await lookup(false, [{ address: '10.0.0.9', family: 4 }], {});
      expect(error).toBeInstanceOf(ForbiddenAddressError);
      expect((error as NodeJS.ErrnoException).code).toBe('EZUPYFORBIDDEN');
      expect(await lookup(true, [{ address: '10.0.0.9', family: 4 }], {})).toEqual([null, '10.0.0.9', 4]);
    });
  });
});
