/**
 * Web Push (issue 12): the phone's subscription as it travels over the link, the push settings,
 * and the notification payload the extension encrypts for the phone's service worker (which reads
 * it defensively: phone-web/public/sw.js is plain JS and cannot import this).
 */
import { z } from 'zod/mini';
import { Id } from './events';

/** base64url without padding, as PushSubscription.toJSON() gives the keys. */
const B64url = (bytes: number) =>
  z.string().check(z.regex(new RegExp(`^[A-Za-z0-9_-]{${Math.ceil((bytes * 4) / 3)}}$`)));

export const PushSubscriptionInput = z.object({
  endpoint: z.url().check(z.maxLength(2048)),
  /** Ignored: the extension never trusts a phone's claim of when a subscription ends. */
  expirationTime: z.optional(z.nullable(z.number())),
  keys: z.object({ p256dh: B64url(65), auth: B64url(16) }),
});
export type PushSubscriptionInput = z.infer<typeof PushSubscriptionInput>;

export const PushSettings = z.object({
  /** Off: every push says only "Tandem needs you" (no thread title, no decision text, no actions). */
  details: z._default(z.boolean(), true),
});
export type PushSettings = z.infer<typeof PushSettings>;
export const PushSettingsPatch = z.strictObject(z.partial(PushSettings).shape);
export type PushSettingsPatch = z.infer<typeof PushSettingsPatch>;

/** Answers a phone can give from a notification: only ones that end with the task, never "always". */
export const PushAction = z.enum(['allow_once', 'deny']);
export type PushAction = z.infer<typeof PushAction>;

export const PushNotice = z.object({
  v: z.literal(1),
  kind: z.enum(['decision', 'finished', 'failed', 'paused', 'withdrawn', 'notice']),
  threadId: z.optional(Id),
  decisionId: z.optional(Id),
  title: z.string().check(z.maxLength(120)),
  body: z.string().check(z.maxLength(300)),
  actions: z.array(PushAction).check(z.maxLength(2)),
  at: z.number(),
});
export type PushNotice = z.infer<typeof PushNotice>;

/** What a phone is told about push: the key to subscribe with and whether this phone is subscribed. */
export const PushStatus = z.object({
  vapidPublicKey: z.string(),
  subscribed: z.boolean(),
});
export type PushStatus = z.infer<typeof PushStatus>;
