import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer | undefined;
afterEach(() => server?.close());

describe('member ids', () => {
  it('draws again when a generated member id is already taken', async () => {
    const drawn = ['ZP-AAAAAAAA', 'ZP-AAAAAAAA', 'ZP-AAAAAAAA', 'ZP-BBBBBBBB'];
    server = await startTestServer({ ctx: { newMemberId: () => drawn.shift() ?? 'ZP-CCCCCCCC' } });
    const first = await server.api.post('/api/v2/customers/', { phone: '11 94444-0001', name: 'First' });
    const second = await server.api.post('/api/v2/customers/', { phone: '11 94444-0002', name: 'Second' });
    expect(first.body.customer.member_id).toBe('ZP-AAAAAAAA');
    expect(second.body.customer.member_id).toBe('ZP-BBBBBBBB');
    expect(drawn).toEqual([]);
  });
});
