import { verify as octokitVerify } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { startReceiver, type ReceivedRequest, type Receiver } from './helpers/receiver.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let server: TestServer;
let receiver: Receiver;
afterEach(async () => {
  await receiver?.close();
  await server?.close();
});

/** Which secret each header of one request verifies with, by the third-party verifiers receivers use. */
async function verifiesWith(request: ReceivedRequest, secret: string) {
  const standard = {
    'webhook-id': String(request.headers['webhook-id']),
    'webhook-timestamp': String(request.headers['webhook-timestamp']),
    'webhook-signature': String(request.headers['webhook-signature']),
  };
  let standardOk = true;
  try {
    new Webhook(secret).verify(request.body, standard);
  } catch {
    standardOk = false;
  }
  return {
    'x-zupy-signature': await octokitVerify(
      secret,
      request.body,
      String(request.headers['x-zupy-signature']),
    ),
    'webhook-signature': standardOk,
  };
}

function entries(request: ReceivedRequest): number {
  return String(request.headers['webhook-signature']).split(' ').length;
}

/**
 * A receiver of GitHub's scheme, the way integrators write one: `X-Zupy-Signature` checked with
 * `@octokit/webhooks-methods` against the secrets it has been given, 401 otherwise.
 */
async function githubStyleReceiver(secrets: string[]): Promise<Receiver> {
  return startReceiver(async (request) => {
    for (const secret of secrets)
      if (await octokitVerify(secret, request.body, String(request.headers['x-zupy-signature'])))
        return { status: 200, body: '{"received":true}' };
    return { status: 401, body: '{"error":"bad signature"}' };
  });
}

describe('rotating an endpoint secret breaks no receiver', () => {
  it('X-Zupy-Signature keeps the old secret for the grace period, webhook-signature carries both, then the new one signs both', async () => {
    // Time is the server's injected clock, whole seconds, kept within standardwebhooks' 5 minutes of the real one.
    const start = Math.floor(Date.now() / 1000) * 1000;
    let clock = start;
    server = await startTestServer({ worker: true, ctx: { clock: () => new Date(clock) } });
    const accepted: string[] = [];
    receiver = await githubStyleReceiver(accepted);
    const created = await server.api.post('/api/v2/webhooks/endpoints/', { url: receiver.url + '/hooks' });
    const endpoint = created.body as { id: string; secret: string };
    const old = endpoint.secret;
    accepted.push(old);
    const testSend = async () => {
      const res = await server.api.post(`/api/v2/webhooks/endpoints/${endpoint.id}/test/`, {
        event: 'customer.registered',
      });
      expect(res.status).toBe(200);
      return {
        answer: res.body as { success: boolean; status_code: number },
        request: receiver.requests.at(-1)!,
      };
    };
    let phone = 0;
    /** A real event through the worker, not a test send. */
    const delivered = async () => {
      const count = receiver.requests.length;
      const reg = await server.api.post('/api/v2/customers/', {
        phone: `(11) 98765-${String(4000 + phone++)}`,
        name: 'Ana Lima',
      });
      expect(reg.status).toBe(201);
      const [request] = (await receiver.waitFor(count + 1)).slice(count);
      expect(request!.headers['x-zupy-test']).toBeUndefined();
      return request!;
    };

    // Before any rotation: one secret signs everything.
    const before = await testSend();
    expect(before.answer).toMatchObject({ success: true, status_code: 200 });
    expect(await verifiesWith(before.request, old)).toEqual({
      'x-zupy-signature': true,
      'webhook-signature': true,
    });
    expect(entries(before.request)).toBe(1);

    // Rotate with a grace period of 120 s.
    const rotated = await server.api.post(`/api/v2/webhooks/endpoints/${endpoint.id}/secret/rotate/`, {
      grace_seconds: 120,
    });
    expect(rotated.status).toBe(200);
    const next = rotated.body.secret as string;
    expect(next).toMatch(/^whsec_/);
    expect(rotated.body.previous_secret_expires_at).toBe(
      new Date(start + 120_000).toISOString().slice(0, 19) + 'Z',
    );
    expect((await server.api.get(`/api/v2/webhooks/endpoints/${endpoint.id}/secret/`)).body.secret).toBe(
      next,
    );

    // During the grace period, the receiver that knows only the old secret keeps working, through the
    // worker and test sends; a Standard Webhooks receiver may already use the new one.
    for (const at of [start, start + 60_000, start + 119_999]) {
      clock = at;
      for (const request of [await delivered(), (await testSend()).request]) {
        expect(await verifiesWith(request, old), `old secret at +${at - start} ms`).toEqual({
          'x-zupy-signature': true,
          'webhook-signature': true,
        });
        expect(await verifiesWith(request, next), `new secret at +${at - start} ms`).toEqual({
          'x-zupy-signature': false,
          'webhook-signature': true,
        });
        expect(entries(request)).toBe(2);
      }
    }
    const log = (await server.api.get(`/api/v2/webhooks/deliveries/?endpoint_id=${endpoint.id}`)).body
      .data as {
      status: string;
    }[];
    expect(log.length).toBeGreaterThanOrEqual(7);
    expect(log.every((d) => d.status === 'succeeded')).toBe(true);

    // The integrator, told by the panel, makes the receiver accept both before the grace period ends.
    accepted.push(next);

    // The grace period ends at exactly previous_secret_expires_at: from then on the new secret signs both.
    for (const at of [start + 120_000, start + 121_000]) {
      clock = at;
      for (const request of [await delivered(), (await testSend()).request]) {
        expect(await verifiesWith(request, next)).toEqual({
          'x-zupy-signature': true,
          'webhook-signature': true,
        });
        expect(await verifiesWith(request, old)).toEqual({
          'x-zupy-signature': false,
          'webhook-signature': false,
        });
        expect(entries(request)).toBe(1);
      }
    }
    accepted.splice(0, accepted.length, next); // and drops the old one
    expect((await testSend()).answer).toMatchObject({ success: true, status_code: 200 });

    // grace_seconds: 0 (a leaked secret): both headers switch at once, the old secret signs nothing.
    const leaked = next;
    const now0 = await server.api.post(`/api/v2/webhooks/endpoints/${endpoint.id}/secret/rotate/`, {
      grace_seconds: 0,
    });
    expect(now0.body.previous_secret_expires_at).toBeNull();
    const fresh = now0.body.secret as string;
    const right = await testSend();
    expect(right.answer).toMatchObject({ success: false, status_code: 401 }); // this receiver still has the leaked one
    expect(await verifiesWith(right.request, fresh)).toEqual({
      'x-zupy-signature': true,
      'webhook-signature': true,
    });
    expect(await verifiesWith(right.request, leaked)).toEqual({
      'x-zupy-signature': false,
      'webhook-signature': false,
    });
    expect(entries(right.request)).toBe(1);
  });

  it('rotating again during a grace period: the secret that was current signs X-Zupy-Signature, the one before it stops', async () => {
    server = await startTestServer();
    receiver = await startReceiver();
    const endpoint = (await server.api.post('/api/v2/webhooks/endpoints/', { url: receiver.url })).body as {
      id: string;
      secret: string;
    };
    const rotate = async () =>
      (await server.api.post(`/api/v2/webhooks/endpoints/${endpoint.id}/secret/rotate/`, {})).body as {
        secret: string;
        previous_secret_expires_at: string;
      };
    const first = await rotate();
    // The default grace period is 24 h.
    expect(Date.parse(first.previous_secret_expires_at) - Date.now()).toBeGreaterThan(86_400_000 - 60_000);
    expect(Date.parse(first.previous_secret_expires_at) - Date.now()).toBeLessThanOrEqual(86_400_000);
    const second = await rotate();
    await server.api.post(`/api/v2/webhooks/endpoints/${endpoint.id}/test/`, {});
    const [request] = await receiver.waitFor(1);
    expect(await verifiesWith(request!, first.secret)).toEqual({
      'x-zupy-signature': true,
      'webhook-signature': true,
    });
    expect(await verifiesWith(request!, second.secret)).toEqual({
      'x-zupy-signature': false,
      'webhook-signature': true,
    });
    expect(await verifiesWith(request!, endpoint.secret)).toEqual({
      'x-zupy-signature': false,
      'webhook-signature': false,
    });
  });
});
