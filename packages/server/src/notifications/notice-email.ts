import type { Language } from '../shared/languages.js';
import type { EndpointNotice } from './owner-notices.js';

export interface NoticeEmail {
  subject: string;
  text: string;
}

export interface NoticeEmailContext {
  language: Language;
  companyName: string;
}

const MAX_SUBJECT_URL = 100;

/** One line of user text: control characters and runs of white space become one space. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\s]+/gu, ' ').trim();
}

function shortened(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** `01/03/2026 às 12:05 (UTC)` or `2026-03-01 12:05 UTC`: owners live in many time zones, say which. */
function when(iso: string, language: Language): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const [y, mo, day, h, mi] = [
    d.getUTCFullYear(),
    pad(d.getUTCMonth() + 1),
    pad(d.getUTCDate()),
    pad(d.getUTCHours()),
    pad(d.getUTCMinutes()),
  ];
  return language === 'pt-BR' ? `${day}/${mo}/${y} às ${h}:${mi} (UTC)` : `${y}-${mo}-${day} ${h}:${mi} UTC`;
}

/** What changes between the languages: every sentence of the e-mail. */
interface Words {
  disabledSubject: string;
  enabledSubject: string;
  greeting: string;
  disabledIntro(company: string): string;
  enabledIntro(company: string): string;
  endpoint: string;
  id: string;
  at: string;
  reason: string;
  detail: string;
  reasons: Record<NonNullable<EndpointNotice['reasonCode']>, string>;
  unknownReason: string;
  held(count: number): string;
  probe(at: string): string;
  personMustEnable: string;
  todo: string;
  checkReceiver: string;
  enableIt(id: string): string;
  byProbe: string;
  byOperator: string;
  flowing(count: number): string;
  nothingToDo: string;
  signature: string;
  why: string;
}

const PT_BR: Words = {
  disabledSubject: 'Endpoint de webhook desativado',
  enabledSubject: 'Endpoint de webhook reativado',
  greeting: 'Olá,',
  disabledIntro: (company) => `O Zupy desativou um endpoint de webhook da empresa ${company}.`,
  enabledIntro: (company) => `Um endpoint de webhook da empresa ${company} está ativo de novo.`,
  endpoint: 'Endpoint',
  id: 'ID',
  at: 'Quando',
  reason: 'Motivo',
  detail: 'Detalhe técnico',
  reasons: {
    gone: 'o receptor respondeu 410 Gone, ou seja, disse que este endereço não existe mais.',
    failure_streak: 'todas as tentativas de entrega falharam por tempo demais.',
    manual: 'alguém o desativou pelo painel ou pela API.',
  },
  unknownReason: 'não informado.',
  held: (n) =>
    n === 0
      ? 'Nada se perde: nenhuma entrega está retida agora, e os eventos novos ficam guardados para este endpoint até ele voltar.'
      : `Nada se perde: ${n === 1 ? '1 entrega está retida' : `${n} entregas estão retidas`} esperando por este endpoint, e os eventos novos também ficam guardados. Quando ele for reativado, as entregas seguem na ordem em que os eventos aconteceram.`,
  probe: (at) =>
    `O Zupy vai testar o endpoint de novo em ${at} e o reativa sozinho assim que ele responder com sucesso (2xx).`,
  personMustEnable:
    'O Zupy não vai tentar de novo por conta própria: uma pessoa precisa reativar o endpoint.',
  todo: 'O que fazer:',
  checkReceiver: '1. Verifique o sistema que recebe os webhooks (o endereço, o servidor e os logs dele).',
  enableIt: (id) =>
    `2. Reative o endpoint no painel do Zupy (Webhooks) ou pela API:\n   PATCH /api/v2/webhooks/endpoints/${id}/ com {"enabled": true}`,
  byProbe:
    'Um teste do Zupy recebeu uma resposta de sucesso (2xx), e o endpoint foi reativado automaticamente.',
  byOperator: 'Alguém o reativou pelo painel ou pela API.',
  flowing: (n) =>
    n === 0
      ? 'Nenhuma entrega retida está na fila; os eventos novos vão direto para o endpoint.'
      : `${n === 1 ? 'A entrega retida segue' : `As ${n} entregas retidas seguem`} agora, na ordem em que os eventos aconteceram.`,
  nothingToDo: 'Não é preciso fazer nada. Se o endpoint voltar a falhar, o Zupy avisa de novo.',
  signature: '— Zupy',
  why: 'Você recebe este e-mail porque este é o endereço de notificações da empresa no Zupy (notification_email em /api/v2/me/).',
};

const EN: Words = {
  disabledSubject: 'Webhook endpoint disabled',
  enabledSubject: 'Webhook endpoint enabled again',
  greeting: 'Hello,',
  disabledIntro: (company) => `Zupy disabled a webhook endpoint of ${company}.`,
  enabledIntro: (company) => `A webhook endpoint of ${company} is enabled again.`,
  endpoint: 'Endpoint',
  id: 'ID',
  at: 'When',
  reason: 'Why',
  detail: 'Details',
  reasons: {
    gone: 'the receiver answered 410 Gone: it said this address no longer exists.',
    failure_streak: 'every delivery attempt failed for too long.',
    manual: 'someone disabled it in the panel or through the API.',
  },
  unknownReason: 'not given.',
  held: (n) =>
    n === 0
      ? 'Nothing is lost: no delivery is held right now, and new events are kept for this endpoint until it is back.'
      : `Nothing is lost: ${n === 1 ? '1 delivery is' : `${n} deliveries are`} held for this endpoint, and new events are kept too. Once it is enabled again, the deliveries go out in the order the events happened.`,
  probe: (at) =>
    `Zupy will test the endpoint again at ${at} and enable it by itself as soon as it answers with a success (2xx).`,
  personMustEnable: 'Zupy will not try again by itself: a person has to enable the endpoint again.',
  todo: 'What to do:',
  checkReceiver: '1. Check the system that receives the webhooks (its address, its server and its logs).',
  enableIt: (id) =>
    `2. Enable the endpoint again in the Zupy panel (Webhooks) or through the API:\n   PATCH /api/v2/webhooks/endpoints/${id}/ with {"enabled": true}`,
  byProbe: 'A test request from Zupy got a success (2xx), so the endpoint was enabled again automatically.',
  byOperator: 'Someone enabled it again in the panel or through the API.',
  flowing: (n) =>
    n === 0
      ? 'No held delivery is waiting; new events go straight to the endpoint.'
      : `${n === 1 ? 'The held delivery goes' : `The ${n} held deliveries go`} out now, in the order the events happened.`,
  nothingToDo: 'Nothing else to do. If the endpoint fails again, Zupy will tell you again.',
  signature: '— Zupy',
  why: 'You receive this e-mail because it is the notification address of the company in Zupy (notification_email in /api/v2/me/).',
};

const WORDS: Record<Language, Words> = { 'pt-BR': PT_BR, en: EN };

/**
 * The owner e-mail for a notice, in the company's language: short plain text naming the endpoint
 * (URL and description), why, what is held, when Zupy probes next or that a person must act, and
 * what to do.
 */
export function composeNoticeEmail(notice: EndpointNotice, context: NoticeEmailContext): NoticeEmail {
  const w = WORDS[context.language];
  const url = oneLine(notice.endpoint.url);
  const description = notice.endpoint.description === null ? '' : oneLine(notice.endpoint.description);
  const company = oneLine(context.companyName);
  const disabled = notice.kind === 'endpoint.disabled';
  const subject = `[Zupy] ${disabled ? w.disabledSubject : w.enabledSubject}: ${shortened(url, MAX_SUBJECT_URL)}`;
  const lines = [w.greeting, '', disabled ? w.disabledIntro(company) : w.enabledIntro(company), ''];
  lines.push(`${w.endpoint}: ${url}${description === '' ? '' : ` (${description})`}`);
  lines.push(`${w.id}: ${notice.endpoint.id}`, `${w.at}: ${when(notice.at, context.language)}`);
  if (disabled) {
    const reason = notice.reasonCode === null ? w.unknownReason : w.reasons[notice.reasonCode];
    lines.push(`${w.reason}: ${reason}`);
    if (notice.reason !== null && notice.reason.trim() !== '')
      lines.push(`${w.detail}: ${oneLine(notice.reason)}`);
    lines.push('', w.held(notice.heldDeliveries), '');
    lines.push(
      notice.nextProbeAt !== null ? w.probe(when(notice.nextProbeAt, context.language)) : w.personMustEnable,
    );
    lines.push('', w.todo, w.checkReceiver, w.enableIt(notice.endpoint.id));
  } else {
    if (notice.enabledBy !== null) lines.push('', notice.enabledBy === 'probe' ? w.byProbe : w.byOperator);
    lines.push('', w.flowing(notice.heldDeliveries), '', w.nothingToDo);
  }
  lines.push('', w.signature, '', w.why);
  return { subject: oneLine(subject), text: lines.join('\n') + '\n' };
}
