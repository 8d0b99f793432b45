import { describe, expect, it } from 'vitest';
import { composeNoticeEmail } from './notice-email.js';
import type { EndpointNotice } from './owner-notices.js';

const disabled: EndpointNotice = {
  kind: 'endpoint.disabled',
  companyId: 'comp_bella_vista',
  endpoint: { id: 'ep_abc', url: 'https://crm.example.com/hooks', description: 'CRM de vendas' },
  reason: 'failed every attempt for 5 days',
  reasonCode: 'failure_streak',
  heldDeliveries: 12,
  nextProbeAt: '2026-03-01T12:05:00.000Z',
  enabledBy: null,
  at: '2026-03-01T12:00:00Z',
};
const gone: EndpointNotice = {
  ...disabled,
  reason: 'the receiver answered 410 Gone',
  reasonCode: 'gone',
  nextProbeAt: null,
  heldDeliveries: 1,
};
const enabled: EndpointNotice = {
  ...disabled,
  kind: 'endpoint.enabled',
  reason: null,
  reasonCode: null,
  nextProbeAt: null,
  enabledBy: 'probe',
  heldDeliveries: 3,
};
const pt = { language: 'pt-BR', companyName: 'Bella Vista' } as const;
const en = { language: 'en', companyName: 'Bella Vista' } as const;

describe('the owner e-mail', () => {
  it('names the endpoint, why, what is held and when Zupy probes next, in Portuguese', () => {
    const email = composeNoticeEmail(disabled, pt);
    expect(email.subject).toBe('[Zupy] Endpoint de webhook desativado: https://crm.example.com/hooks');
    expect(email.text).toContain('Endpoint: https://crm.example.com/hooks (CRM de vendas)');
    expect(email.text).toContain('da empresa Bella Vista');
    expect(email.text).toContain('Quando: 01/03/2026 às 12:00 (UTC)');
    expect(email.text).toContain('Motivo: todas as tentativas de entrega falharam por tempo demais.');
    expect(email.text).toContain('Detalhe técnico: failed every attempt for 5 days');
    expect(email.text).toContain('Nada se perde: 12 entregas estão retidas');
    expect(email.text).toContain('testar o endpoint de novo em 01/03/2026 às 12:05 (UTC)');
    expect(email.text).not.toContain('uma pessoa precisa reativar');
    expect(email.text).toContain('PATCH /api/v2/webhooks/endpoints/ep_abc/ com {"enabled": true}');
    expect(email.text).toContain('painel do Zupy');
  });

  it('says in English that a person must enable a 410 Gone endpoint again', () => {
    const email = composeNoticeEmail(gone, en);
    expect(email.subject).toBe('[Zupy] Webhook endpoint disabled: https://crm.example.com/hooks');
    expect(email.text).toContain('Why: the receiver answered 410 Gone');
    expect(email.text).toContain('Nothing is lost: 1 delivery is held');
    expect(email.text).toContain('a person has to enable the endpoint again');
    expect(email.text).not.toContain('will test the endpoint again');
    expect(email.text).toContain('PATCH /api/v2/webhooks/endpoints/ep_abc/ with {"enabled": true}');
    expect(email.text).toContain('When: 2026-03-01 12:00 UTC');
  });

  it('words a manual disable, an unknown reason and nothing held', () => {
    const manual = composeNoticeEmail({ ...gone, reasonCode: 'manual', reason: null, heldDeliveries: 0 }, pt);
    expect(manual.text).toContain('Motivo: alguém o desativou pelo painel ou pela API.');
    expect(manual.text).not.toContain('Detalhe técnico');
    expect(manual.text).toContain('nenhuma entrega está retida agora');
    expect(manual.text).toContain('uma pessoa precisa reativar o endpoint');
    const unknown = composeNoticeEmail({ ...gone, reasonCode: null, reason: 'something odd' }, en);
    expect(unknown.text).toContain('Why: not given.');
    expect(unknown.text).toContain('Details: something odd');
  });

  it('tells of a re-enable: by a probe or a person, and that the held deliveries now flow in order', () => {
    const byProbe = composeNoticeEmail(enabled, pt);
    expect(byProbe.subject).toBe('[Zupy] Endpoint de webhook reativado: https://crm.example.com/hooks');
    expect(byProbe.text).toContain('reativado automaticamente');
    expect(byProbe.text).toContain(
      'As 3 entregas retidas seguem agora, na ordem em que os eventos aconteceram.',
    );
    expect(byProbe.text).not.toContain('O que fazer');
    const byPerson = composeNoticeEmail({ ...enabled, enabledBy: 'operator', heldDeliveries: 1 }, en);
    expect(byPerson.subject).toBe('[Zupy] Webhook endpoint enabled again: https://crm.example.com/hooks');
    expect(byPerson.text).toContain('Someone enabled it again');
    expect(byPerson.text).toContain('The held delivery goes out now, in the order the events happened.');
  });

  it('keeps user text to one line and a long URL out of the subject', () => {
    const url = `https://crm.example.com/${'a'.repeat(300)}`;
    const email = composeNoticeEmail(
      {
        ...disabled,
        endpoint: { id: 'ep_abc', url, description: 'line one\r\nBcc: x@example.com\u2028two' },
      },
      en,
    );
    expect(email.subject.length).toBeLessThanOrEqual(140);
    expect(email.subject).toMatch(/…$/);
    expect(email.subject).not.toMatch(/[\r\n]/);
    expect(email.text).toContain(`Endpoint: ${url} (line one Bcc: x@example.com two)`);
    expect(email.text.split('\n').filter((line) => line.startsWith('Bcc'))).toEqual([]);
  });
});
