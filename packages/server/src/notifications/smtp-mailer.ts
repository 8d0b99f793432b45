import { createTransport } from 'nodemailer';
import type { SmtpConfig } from '../config.js';

/** One e-mail to one owner. */
export interface OwnerEmail {
  to: string;
  subject: string;
  text: string;
}

/** Sends owner e-mails: the SMTP server of `ZUPY_SMTP_URL` (smtp-mailer.ts); a port so the sender knows no SMTP. */
export interface Mailer {
  /** Resolves once the server accepted the message; rejects with a {@link MailerError}. */
  send(email: OwnerEmail, signal?: AbortSignal): Promise<void>;
  close(): void;
}

/** Why a send failed, told apart for retrying, in words safe to log (never the SMTP password). */
export class MailerError extends Error {
  constructor(
    message: string,
    /** The server refused the recipient or the message for good (5xx): sending it again is futile. */
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'MailerError';
  }
}

/** Timeouts shorter than nodemailer's (2 min to connect, 10 min idle): a worker waits on each send. */
const CONNECTION_TIMEOUT_MS = 10_000;
const GREETING_TIMEOUT_MS = 10_000;
const SOCKET_TIMEOUT_MS = 30_000;

/** Longest a send can take before its timeouts end it: a lease must outlast it. */
export const MAX_SEND_MS = CONNECTION_TIMEOUT_MS + GREETING_TIMEOUT_MS + 2 * SOCKET_TIMEOUT_MS;

interface SmtpFailure {
  code?: string | undefined;
  responseCode?: number | undefined;
  response?: string | undefined;
  permanent?: boolean | undefined;
  message?: string | undefined;
}

/**
 * A {@link MailerError} for whatever nodemailer threw: its code, the server's reply code and answer.
 * A refusal of the recipient or the message (EENVELOPE, EMESSAGE) with a permanent reply is
 * permanent; every other failure — connection, timeout, TLS, a refused login the operator may yet
 * fix — is worth another try.
 */
export function describeSmtpFailure(error: unknown, secrets: readonly string[]): MailerError {
  const failure = (
    typeof error === 'object' && error !== null ? error : { message: String(error) }
  ) as SmtpFailure;
  const what = failure.response ?? failure.message ?? 'unknown error';
  // `EAUTH: 535 Authentication failed`; the reply code only when the answer does not start with it.
  const code =
    failure.responseCode !== undefined && !what.startsWith(String(failure.responseCode))
      ? failure.responseCode
      : undefined;
  let text = [failure.code, code].filter((part) => part !== undefined).join(' ');
  text = `${text === '' ? '' : `${text}: `}${what}`.replace(/\s+/g, ' ').slice(0, 500);
  for (const secret of secrets) if (secret !== '') text = text.split(secret).join('***');
  const refused = failure.code === 'EENVELOPE' || failure.code === 'EMESSAGE';
  return new MailerError(text, refused && failure.permanent === true);
}

function decodedOrSame(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A mailer over the configured SMTP server, one connection per message (owner e-mails are rare). */
export function createSmtpMailer(smtp: SmtpConfig): Mailer {
  const { password } = new URL(smtp.url);
  const secrets = [password, decodedOrSame(password)];
  const transport = createTransport({
    url: smtp.url,
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    greetingTimeout: GREETING_TIMEOUT_MS,
    socketTimeout: SOCKET_TIMEOUT_MS,
    // No transcript of the session: it would hold the credentials.
    logger: false,
    debug: false,
  });
  return {
    async send(email, signal) {
      try {
        await transport.sendMail({
          from: smtp.from,
          to: email.to,
          subject: email.subject,
          text: email.text,
          ...(signal ? { signal } : {}),
        });
      } catch (error) {
        throw describeSmtpFailure(error, secrets);
      }
    },
    close() {
      transport.close();
    },
  };
}
