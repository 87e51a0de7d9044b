/**
 * A notifier that writes every notification to the log instead of sending it: the demo's, so a person
 * watching the logs sees who would have been told what. Same port as the real notifier (src/notify).
 */
import type { Logger } from '../core/log.ts';
import type { Notifier, NotifyRequest, NotifyResult } from '../engine/ports.ts';

export interface LoggedNotification {
  channel: NotifyRequest['channel'];
  to: string[];
  template: string;
  data: unknown;
  runId: number;
  stepId: string;
}

export class LogNotifier implements Notifier {
  /** Everything sent, newest last (bounded, for tests and the demo's summary). */
  readonly sent: LoggedNotification[] = [];
  private readonly keys = new Set<string>();

  constructor(
    private readonly log: Logger,
    private readonly keep = 1000,
  ) {}

  async send(req: NotifyRequest): Promise<NotifyResult> {
    // A retried notify step carries the same key: it is logged once.
    if (!this.keys.has(req.idempotencyKey)) {
      this.keys.add(req.idempotencyKey);
      this.sent.push({ channel: req.channel, to: req.to, template: req.template, data: req.data, runId: req.runId, stepId: req.stepId });
      if (this.sent.length > this.keep) this.sent.shift();
      this.log.info({ notification: { channel: req.channel, to: req.to, template: req.template, runId: req.runId, step: req.stepId } }, `notification '${req.template}' to ${req.to.join(', ')}`);
    }
    return { deliveries: req.to.map((to) => ({ channel: req.channel, to, status: 'sent' as const, id: `log:${req.idempotencyKey}` })) };
  }
}
