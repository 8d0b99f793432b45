import { describe, expect, it } from 'vitest';
import { ForbiddenAddressError, isForbiddenAddress, vetHost, vetLiteralHost } from './address-guard.js';

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
    '2002:808:808::1',
    '2606:4700::1111',
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
      /10\.0\.0\.5.*ZUPY_ALLOW_PRIVATE_NETWORK/,
    );
    await expect(
      vetHost('localhost', (h) => import('node:dns').then((d) => d.promises.lookup(h, { all: true }))),
    ).rejects.toThrow(ForbiddenAddressError);
    const ok = () => Promise.resolve([{ address: '8.8.4.4', family: 4 }]);
    await expect(vetHost('public.example', ok)).resolves.toEqual([{ address: '8.8.4.4', family: 4 }]);
  });
});
