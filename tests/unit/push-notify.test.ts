/**
 * What reaches a phone (issue 12), through the real runtime: the phone subscribes over its link
 * client, a decision waiting is pushed (decrypted here with http_ece), answering it on the computer
 * withdraws it, results are pushed, the privacy setting strips details, 404/410 and revoking the
 * device remove the subscription, and a desktop notification appears when nobody looks at the thread.
 */
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LinkStore } from '../../extension/link/link-store';
import { type AssembledRuntime, assembleRuntime } from '../../extension/runtime/assemble';
import type { PushNotice, RuntimeMessage } from '../../shared/protocol';
import { type ModelServer, startModelServer } from '../fixtures/model-server';
import {
  type BrowserSubscription,
  browserSubscription,
  decryptPush,
  verifyVapid,
} from '../fixtures/push-service/independent-check';
import { PushServiceStandIn } from '../fixtures/push-service/push-service';
import { connect, newThread, type TestClient, waitUntil } from '../support/runtime-harness';

let model: ModelServer;
let service: PushServiceStandIn;
let counter = 0;

beforeAll(async () => {
  model = await startModelServer({ minCacheableTokens: 0 });
  service = await new PushServiceStandIn().start();
});
afterAll(async () => {
  await model.close();
  await service.stop();
});
beforeEach(() => model.reset());

interface Phone {
  deviceId: string;
  client: TestClient;
  browser: BrowserSubscription;
  subscriptionId: string;
  notices(): PushNotice[];
}

async function setup(windowMs = 150, databaseName = `tandem-push-${process.pid}-${++counter}`) {
  const desktop: { title: string; message: string }[] = [];
  const assembled = assembleRuntime({
    databaseName,
    pushWindowMs: windowMs,
    // A link host that does nothing: pairing and revoking go through the real LinkService and LinkStore.
    linkHost: { reconfigure: async () => {}, revoke: async () => {} },
    showNotification: async (title, message) => {
      desktop.push({ title, message });
    },
  });
  await assembled.settings.update({ apiKey: model.apiKey, baseUrl: model.url, spendingCapEnabled: false });
  await assembled.push.store.allowServiceOrigins([service.origin]);
  const panel = connect(assembled, 'panel');
  return { assembled, panel, desktop };
}

/** A paired phone as the link attaches it, subscribed the way the phone page does it. */
async function pairedPhone(assembled: AssembledRuntime, name = 'Ana’s phone'): Promise<Phone> {
  const key = crypto.getRandomValues(new Uint8Array(32));
  const device = await (assembled.link?.store ?? new LinkStore(assembled.db)).addDevice(key, name);
  const messages: RuntimeMessage[] = [];
  const attach = assembled.runtime.attach as (
    kind: 'phone',
    send: (m: RuntimeMessage) => void,
    device: { deviceId: string; deviceName: string },
  ) => ReturnType<AssembledRuntime['runtime']['attach']>;
  const attached = attach.call(assembled.runtime, 'phone', (m) => messages.push(structuredClone(m)), {
    deviceId: device.id,
    deviceName: name,
  });
  let n = 0;
  const client: TestClient = {
    messages,
    async command(command) {
      const id = command.id ?? `phone-${++n}`;
      await attached.receive({ ...command, id });
      const answer = messages.findLast((m) => (m.type === 'ack' || m.type === 'error') && m.commandId === id);
      if (!answer) throw new Error(`No answer to ${id}`);
      return answer;
    },
    raw: (v) => attached.receive(v),
    events: () => [],
    waitForEvent: () => Promise.reject(new Error('not used')),
    detach: attached.detach,
  };
  expect(await client.command({ type: 'push.status' })).toMatchObject({ type: 'ack' });
  const status = messages.findLast((m) => m.type === 'push.status');
  if (status?.type !== 'push.status') throw new Error('no push.status');
  expect(status.status.subscribed).toBe(false);
  const browser = browserSubscription();
  // The push service binds the subscription to the application server key the phone was given.
  const sub = service.subscribe(status.status.vapidPublicKey);
  const ack = await client.command({
    type: 'push.subscribe',
    subscription: {
      endpoint: sub.endpoint,
      expirationTime: null,
      keys: { p256dh: browser.p256dh, auth: browser.auth },
    },
  });
  expect(ack.type).toBe('ack');
  expect(messages.findLast((m) => m.type === 'push.status')).toMatchObject({ status: { subscribed: true } });
  return {
    deviceId: device.id,
    client,
    browser,
    subscriptionId: sub.id,
    notices: () =>
      service.accepted(sub.id).map((p) => {
        verifyVapid(p.headers.authorization ?? '', status.status.vapidPublicKey);
        return JSON.parse(decryptPush(p.body, browser)) as PushNotice;
      }),
  };
}

function messagesOf<T extends RuntimeMessage['type']>(client: TestClient, type: T) {
  return client.messages.filter((m): m is Extract<RuntimeMessage, { type: T }> => m.type === type);
}

function scriptNotifyTool() {
  model.script([
    { kind: 'tool_use', name: 'notify_user', input: { title: 'Done', message: 'All set' } },
    { kind: 'text', text: 'Notified.' },
  ]);
}

async function waitForNotices(phone: Phone, count: number) {
  await service.waitForAccepted(count, phone.subscriptionId);
  return phone.notices();
}

describe('push to a paired phone', () => {
  it("pushes a scheduled run's result in one line, with one desktop notification", async () => {
    const { assembled, panel, desktop } = await setup();
    const phone = await pairedPhone(assembled);
    const threadId = await newThread(panel);
    await panel.command({
      type: 'schedule.create',
      threadId,
      schedule: {
        title: 'Morning check',
        prompt: 'Check the sites.',
        recurrence: { kind: 'interval', every: 1, unit: 'hours' },
        timeZone: 'Europe/Paris',
      },
    });
    await waitUntil(() => messagesOf(panel, 'schedules').length > 0, 5_000, 'the schedule list');
    const scheduleId = messagesOf(panel, 'schedules').at(-1)?.schedules[0]?.id ?? '';
    model.script([{ kind: 'text', text: 'Nothing changed overnight.' }]);
    await panel.command({ type: 'schedule.runNow', scheduleId });
    const notices = await waitForNotices(phone, 2);
    expect(notices.map((n) => [n.kind, n.title, n.body])).toContainEqual([
      'notice',
      'Tandem: Morning check',
      'Done: Nothing changed overnight.',
    ]);
    expect(desktop.filter((d) => d.title === 'Tandem: Morning check')).toHaveLength(1);
  });

  it('pushes a waiting decision with what and which thread, and withdraws it when the computer answers', async () => {
    const { assembled, panel } = await setup();
    const phone = await pairedPhone(assembled);
    const threadId = await newThread(panel);
    await panel.command({ type: 'thread.rename', threadId, title: 'Trip planning' });
    scriptNotifyTool();
    await panel.command({ type: 'message.send', threadId, text: 'Ping me' });
    const request = await panel.waitForEvent(threadId, (e) => e.kind === 'decision_requested');
    if (request.kind !== 'decision_requested') throw new Error('unreachable');
    const [decision] = await waitForNotices(phone, 1);
    expect(decision).toMatchObject({
      kind: 'decision',
      threadId,
      decisionId: request.decisionId,
      title: request.title,
      actions: ['allow_once', 'deny'],
    });
    expect(decision?.body).toContain('Trip planning');
    await panel.command({ type: 'decision.answer', threadId, decisionId: request.decisionId, optionId: 'deny' });
    const notices = await waitForNotices(phone, 2);
    expect(notices[1]).toMatchObject({ kind: 'withdrawn', threadId, decisionId: request.decisionId });
    expect(notices[1]?.body).toContain('on the computer');
    // The task then finishes: one more notice, after the thread's coalescing window.
    const all = await waitForNotices(phone, 3);
    expect(all[2]).toMatchObject({ kind: 'finished', threadId, title: 'Task finished' });
    await assembled.push.notifier.idle();
  });

  it('withdraws a pushed decision answered after the worker restarted (the MV3 worker is long gone by then)', async () => {
    const databaseName = `tandem-push-restart-${process.pid}-${++counter}`;
    const first = await setup(150, databaseName);
    const phone = await pairedPhone(first.assembled);
    const threadId = await newThread(first.panel);
    scriptNotifyTool();
    await first.panel.command({ type: 'message.send', threadId, text: 'Ping me' });
    const request = await first.panel.waitForEvent(threadId, (e) => e.kind === 'decision_requested');
    if (request.kind !== 'decision_requested') throw new Error('unreachable');
    await waitForNotices(phone, 1);
    await first.assembled.push.notifier.idle();
    first.panel.detach();
    // A new worker: the same database, nothing in memory.
    const second = await setup(150, databaseName);
    expect(
      await second.panel.command({
        type: 'decision.answer',
        threadId,
        decisionId: request.decisionId,
        optionId: 'deny',
      }),
    ).toMatchObject({ type: 'ack' });
    const notices = await waitForNotices(phone, 2);
    expect(notices[1]).toMatchObject({ kind: 'withdrawn', decisionId: request.decisionId });
  });

  it('with details off, sends only "Tandem needs you" (no titles, no actions) and a phone cannot change that', async () => {
    const { assembled, panel } = await setup();
    const phone = await pairedPhone(assembled);
    expect(await phone.client.command({ type: 'push.settings.update', patch: { details: false } })).toMatchObject({
      type: 'error',
      code: 'not_allowed',
    });
    expect(await panel.command({ type: 'push.settings.update', patch: { details: false } })).toMatchObject({
      type: 'ack',
    });
    const threadId = await newThread(panel);
    await panel.command({ type: 'thread.rename', threadId, title: 'Secret project' });
    scriptNotifyTool();
    await panel.command({ type: 'message.send', threadId, text: 'Ping me' });
    const [notice] = await waitForNotices(phone, 1);
    expect(notice).toMatchObject({ kind: 'decision', title: 'Tandem needs you', body: '', actions: [], threadId });
    expect(JSON.stringify(notice)).not.toContain('Secret');
  });

  it('drops the subscription on 410 Gone (and 404) and sends nothing more to it', async () => {
    const { assembled, panel } = await setup(0);
    const phone = await pairedPhone(assembled);
    service.expire(phone.subscriptionId);
    const threadId = await newThread(panel);
    scriptNotifyTool();
    await panel.command({ type: 'message.send', threadId, text: 'Ping me' });
    await waitUntil(() => service.pushes.some((p) => p.subscriptionId === phone.subscriptionId && p.status === 410));
    await assembled.push.notifier.idle();
    expect(await assembled.push.store.subscription(phone.deviceId)).toBeUndefined();
    await phone.client.command({ type: 'push.status' });
    expect(phone.client.messages.findLast((m) => m.type === 'push.status')).toMatchObject({
      status: { subscribed: false },
    });

    const other = await pairedPhone(assembled, 'Second phone');
    service.script(other.subscriptionId, { status: 404 });
    await assembled.push.notifyUser({ kind: 'notice', title: 'Scheduled run done', body: 'Daily digest' });
    await assembled.push.notifier.idle();
    expect(await assembled.push.store.subscription(other.deviceId)).toBeUndefined();
  });

  it('a revoked phone loses its subscription and gets no more pushes; turning notifications off deletes it too', async () => {
    const { assembled, panel } = await setup(0);
    const phone = await pairedPhone(assembled);
    const kept = await pairedPhone(assembled, 'Kept phone');
    await assembled.push.notifyUser({ kind: 'notice', title: 'First', body: 'one' });
    await assembled.push.notifier.idle();
    expect(phone.notices()).toHaveLength(1);
    expect(await panel.command({ type: 'devices.revoke', deviceId: phone.deviceId })).toMatchObject({ type: 'ack' });
    expect(await assembled.push.store.subscription(phone.deviceId)).toBeUndefined();
    await assembled.push.notifyUser({ kind: 'notice', title: 'Second', body: 'two' });
    await assembled.push.notifier.idle();
    expect(phone.notices()).toHaveLength(1);
    expect(kept.notices().map((n) => n.title)).toEqual(['First', 'Second']);
    expect(await kept.client.command({ type: 'push.unsubscribe' })).toMatchObject({ type: 'ack' });
    expect(await assembled.push.store.subscription(kept.deviceId)).toBeUndefined();
  });

  it('a notice the push service finds too large (413) is sent again as only "Tandem needs you"', async () => {
    const { assembled } = await setup(0);
    const phone = await pairedPhone(assembled);
    service.script(phone.subscriptionId, { status: 413 });
    await assembled.push.notifyUser({ kind: 'finished', title: 'Report ready', body: 'A long summary' });
    await assembled.push.notifier.idle();
    expect(phone.notices()).toEqual([
      expect.objectContaining({ kind: 'finished', title: 'Tandem needs you', body: '' }),
    ]);
  });

  it('refuses a subscription from the panel or to an address that is not a push service', async () => {
    const { assembled, panel } = await setup();
    const browser = browserSubscription();
    const subscription = { endpoint: `${service.origin}/push/x`, keys: { p256dh: browser.p256dh, auth: browser.auth } };
    expect(await panel.command({ type: 'push.subscribe', subscription })).toMatchObject({
      type: 'error',
      code: 'invalid_command',
    });
    const phone = await pairedPhone(assembled);
    for (const endpoint of [
      'http://192.168.1.1/admin',
      'https://intranet.example/push',
      'https://fcm.googleapis.com:8443/x',
    ]) {
      expect(
        await phone.client.command({ type: 'push.subscribe', subscription: { ...subscription, endpoint } }),
      ).toMatchObject({ type: 'error', code: 'invalid_command' });
    }
    expect(
      await phone.client.command({
        type: 'push.subscribe',
        subscription: { ...subscription, endpoint: 'https://fcm.googleapis.com/fcm/send/abc' },
      }),
    ).toMatchObject({ type: 'ack' });
  });
});

describe('coalescing and the desktop', () => {
  it('sends at most one notice per thread per window: the first at once, then only the newest', async () => {
    const { assembled } = await setup(1_500);
    const phone = await pairedPhone(assembled);
    for (const title of ['one', 'two', 'three']) {
      await assembled.push.notifyUser({ kind: 'notice', threadId: 'thread-a', title, body: '' });
    }
    await assembled.push.notifyUser({ kind: 'notice', threadId: 'thread-b', title: 'other thread', body: '' });
    await assembled.push.notifier.idle();
    // Two threads' notices go out side by side, in either order.
    expect(
      phone
        .notices()
        .map((n) => n.title)
        .sort(),
    ).toEqual(['one', 'other thread']);
    const all = await waitForNotices(phone, 3);
    expect(all[2]?.title).toBe('three');
    await new Promise((r) => setTimeout(r, 1_600));
    expect(phone.notices()).toHaveLength(3);
  });

  it('a decision answered before its notice left is never pushed', async () => {
    const { assembled, panel } = await setup(5_000);
    const phone = await pairedPhone(assembled);
    const threadId = await newThread(panel);
    await assembled.push.notifyUser({ kind: 'notice', threadId, title: 'earlier', body: '' });
    scriptNotifyTool();
    await panel.command({ type: 'message.send', threadId, text: 'Ping me' });
    const request = await panel.waitForEvent(threadId, (e) => e.kind === 'decision_requested');
    if (request.kind !== 'decision_requested') throw new Error('unreachable');
    await panel.command({ type: 'decision.answer', threadId, decisionId: request.decisionId, optionId: 'deny' });
    await panel.waitForEvent(threadId, (e) => e.kind === 'task_finished');
    await waitForNotices(phone, 2);
    await assembled.push.notifier.idle();
    const kinds = phone.notices().map((n) => n.kind);
    expect(kinds).toEqual(['notice', 'finished']);
  });

  it('shows a desktop notification for a waiting decision only when no client is looking at its thread', async () => {
    const { assembled, panel, desktop } = await setup();
    const watched = await newThread(panel);
    scriptNotifyTool();
    await panel.command({ type: 'message.send', threadId: watched, text: 'Ping me' });
    await panel.waitForEvent(watched, (e) => e.kind === 'decision_requested');
    await assembled.push.notifier.idle();
    expect(desktop).toEqual([]);
    const ack = await panel.command({ type: 'thread.create' });
    const unwatched = ack.type === 'ack' ? (ack.threadId ?? '') : '';
    await panel.command({ type: 'thread.rename', threadId: unwatched, title: 'Background job' });
    scriptNotifyTool();
    await panel.command({ type: 'message.send', threadId: unwatched, text: 'Ping me' });
    await waitUntil(() => desktop.length > 0);
    expect(desktop[0]?.title).toMatch(/^Tandem needs you: /);
    expect(desktop[0]?.message).toContain('Background job');
  });
});
