import { Inject, Injectable } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { rootCertificates } from 'node:tls';
import nodemailer, { type Transporter } from 'nodemailer';
import webPush from 'web-push';
import { APP_CONFIG, type AppConfig } from './config';

export const ALERT_TRANSPORTS = Symbol('ALERT_TRANSPORTS');

export interface PushTarget {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

export interface MailMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
  headers: Record<string, string>;
}

/**
 * The ways an alert leaves the process. Each call is one attempt (retries are the delivery
 * queue's); each rejects when the attempt failed.
 */
export interface AlertTransports {
  /** POSTs the body (10 s timeout); resolves with the answer's status, whatever it is. */
  webhook(url: string, body: string, headers: Record<string, string>): Promise<{ ok: boolean; status: number }>;
  /** Sends a Web Push message (10 s timeout, TTL 1 h, high urgency); a push service's refusal rejects with its `statusCode`. */
  push(target: PushTarget, payload: string, vapid: { subject: string; publicKey: string; privateKey: string }): Promise<void>;
  /** Whether e-mail can be sent (SMTP_URL is set). */
  readonly mailEnabled: boolean;
  mail(message: MailMessage): Promise<void>;
  close(): void;
}

/** fetch for webhooks; web-push, through an agent that also trusts ALERT_PUSH_CA_FILE when set; SMTP_URL through nodemailer. */
@Injectable()
export class NetworkAlertTransports implements AlertTransports {
  private readonly pushAgent: Agent | undefined;
  private readonly mailer: Transporter | null;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.pushAgent = config.ALERT_PUSH_CA_FILE ? new Agent({ ca: [...rootCertificates, readFileSync(config.ALERT_PUSH_CA_FILE, 'utf8')] }) : undefined;
    this.mailer = config.SMTP_URL ? nodemailer.createTransport(config.SMTP_URL) : null;
  }

  get mailEnabled(): boolean {
    return this.mailer !== null;
  }

  async webhook(url: string, body: string, headers: Record<string, string>): Promise<{ ok: boolean; status: number }> {
    const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
    await res.arrayBuffer().catch(() => undefined);
    return { ok: res.ok, status: res.status };
  }

  async push(target: PushTarget, payload: string, vapid: { subject: string; publicKey: string; privateKey: string }): Promise<void> {
    await webPush.sendNotification(target, payload, {
      vapidDetails: vapid,
      TTL: 3600,
      urgency: 'high',
      timeout: 10_000,
      ...(this.pushAgent ? { agent: this.pushAgent } : {}),
    });
  }

  async mail(message: MailMessage): Promise<void> {
    if (!this.mailer) throw new Error('e-mail is off (SMTP_URL is not set)');
    await this.mailer.sendMail(message);
  }

  close(): void {
    this.mailer?.close();
  }
}
