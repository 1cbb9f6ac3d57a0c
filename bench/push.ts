/**
 * Push benchmark (issue 12).
 * - push_decision_to_sent_ms: a permission decision becomes durable (the moment the runtime
 *   publishes it to its clients, which is after its IndexedDB write) until the loopback push
 *   service has the encrypted message (VAPID JWT signed, aes128gcm encrypted, POSTed, accepted).
 *   The real runtime assembly in Node (fake-indexeddb, Node's WebCrypto), goal ≤ 300 ms.
 * - push_extension_decision_to_sent_ms: the same in the built extension (Chromium's service worker,
 *   real IndexedDB and WebCrypto): the decision event reaching a client until the 201 is read.
 * - push_plain_post_ms: baseline in the same run: the same-sized POST to the same service without
 *   encryption or signing; push_overhead_ratio is the first over the second.
 */
import 'fake-indexeddb/auto';
import type { Worker } from 'playwright-core';
import { LinkStore } from '../extension/link/link-store';
import { assembleRuntime } from '../extension/runtime/assemble';
import type { RuntimeMessage } from '../shared/protocol';
import { launchExtensionBrowser, makeSandbox } from '../tests/e2e/support/chromium';
import { type ModelServer, startModelServer } from '../tests/fixtures/model-server';
import { browserSubscription } from '../tests/fixtures/push-service/independent-check';
import { PushServiceStandIn } from '../tests/fixtures/push-service/push-service';
import type { Metric } from './index';
import { median, percentile, round } from './stats';

const RUNS = 20;

export async function runPushBench(): Promise<Metric[]> {
  const model: ModelServer = await startModelServer({ minCacheableTokens: 0 });
  const service = await new PushServiceStandIn().start();
  try {
    const assembled = assembleRuntime({ databaseName: `tandem-bench-push-${process.pid}`, pushWindowMs: 0 });
    await assembled.settings.update({ apiKey: model.apiKey, baseUrl: model.url, spendingCapEnabled: false });
    await assembled.push.store.allowServiceOrigins([service.origin]);
    const device = await new LinkStore(assembled.db).addDevice(crypto.getRandomValues(new Uint8Array(32)), 'Bench');
    const keys = await assembled.push.store.vapidKeys();
    const browser = browserSubscription();
    const sub = service.subscribe(keys.publicKeyText);
    await assembled.push.subscribe(device.id, {
      endpoint: sub.endpoint,
      keys: { p256dh: browser.p256dh, auth: browser.auth },
    });

    let decisionAt = 0;
    let counter = 0;
    const messages: RuntimeMessage[] = [];
    const panel = assembled.runtime.attach('panel', (m) => {
      if (m.type === 'thread.event' && m.event.kind === 'decision_requested') decisionAt = performance.now();
      messages.push(m);
    });
    const command = async (c: Record<string, unknown>) => {
      const id = `bench-${++counter}`;
      await panel.receive({ ...c, id });
      return messages.find((m) => m.type === 'ack' && m.commandId === id);
    };
    const samples: number[] = [];
    for (let run = 0; run < RUNS + 2; run++) {
      const ack = await command({ type: 'thread.create' });
      const threadId = ack?.type === 'ack' ? ack.threadId : undefined;
      await command({ type: 'thread.subscribe', threadId, tail: 1 });
      model.script([
        { kind: 'tool_use', name: 'notify_user', input: { title: 'Done', message: 'All set' } },
        { kind: 'text', text: 'ok' },
      ]);
      const before = service.accepted(sub.id).length;
      decisionAt = 0;
      await command({ type: 'message.send', threadId, text: 'Ping me' });
      const accepted = await service.waitForAccepted(before + 1, sub.id, 10_000);
      const push = accepted[before];
      if (push && decisionAt > 0 && run >= 2) samples.push(push.receivedAt - decisionAt);
      await command({ type: 'task.stop', threadId });
      await assembled.runtime.idle();
      await assembled.push.notifier.idle();
    }

    const body = new Uint8Array(300);
    const plain: number[] = [];
    for (let run = 0; run < RUNS + 2; run++) {
      const before = service.pushes.length;
      const started = performance.now();
      await fetch(sub.endpoint, { method: 'POST', headers: { TTL: '60', 'Content-Encoding': 'aes128gcm' }, body });
      const recorded = service.pushes[before];
      if (recorded && run >= 2) plain.push(recorded.receivedAt - started);
    }
    const inExtension = await extensionSamples(model, service);
    const value = median(samples);
    const baseline = median(plain);
    return [
      { metric: 'push_decision_to_sent_ms', value: round(value), unit: 'ms' },
      { metric: 'push_extension_decision_to_sent_ms', value: round(median(inExtension)), unit: 'ms' },
      { metric: 'push_decision_to_sent_p90_ms', value: round(percentile(samples, 90)), unit: 'ms' },
      { metric: 'push_plain_post_ms', value: round(baseline), unit: 'ms' },
      { metric: 'push_overhead_ratio', value: round(value / baseline), unit: 'x' },
    ];
  } finally {
    await model.close();
    await service.stop();
  }
}

interface WorkerPush {
  tandem: {
    settings: { update(patch: Record<string, unknown>): Promise<unknown> };
    link: { store: { addDevice(key: Uint8Array, name: string): Promise<{ id: string }> } };
    push: {
      store: { allowServiceOrigins(origins: string[]): Promise<void> };
      subscribe(deviceId: string, subscription: unknown): Promise<unknown>;
      notifier: {
        onDelivery(
          listener: (d: { notice: { kind: string; threadId?: string }; outcome: { kind: string } }) => void,
        ): () => void;
      };
    };
    runtime: {
      attach(
        kind: string,
        send: (m: { type: string; threadId?: string; event?: { kind: string } }) => void,
      ): { receive(raw: unknown): Promise<void> };
    };
  };
}

async function extensionSamples(model: ModelServer, service: PushServiceStandIn): Promise<number[]> {
  const sandbox = makeSandbox('bench-push');
  const browser = await launchExtensionBrowser(sandbox.root);
  try {
    const worker: Worker = browser.worker;
    const sub = service.subscribe();
    const keys = browserSubscription();
    await worker.evaluate(
      async ({ url, apiKey, origin, endpoint, p256dh, auth }) => {
        const { tandem } = globalThis as unknown as WorkerPush;
        await tandem.settings.update({ apiKey, baseUrl: url, spendingCapEnabled: false });
        await tandem.push.store.allowServiceOrigins([origin]);
        const device = await tandem.link.store.addDevice(crypto.getRandomValues(new Uint8Array(32)), 'Bench');
        await tandem.push.subscribe(device.id, { endpoint, keys: { p256dh, auth } });
      },
      {
        url: model.url,
        apiKey: model.apiKey,
        origin: service.origin,
        endpoint: sub.endpoint,
        p256dh: keys.p256dh,
        auth: keys.auth,
      },
    );
    const samples: number[] = [];
    for (let run = 0; run < RUNS + 2; run++) {
      model.script([
        { kind: 'tool_use', name: 'notify_user', input: { title: 'Done', message: 'All set' } },
        { kind: 'text', text: 'ok' },
      ]);
      const ms = await worker.evaluate(async () => {
        const { tandem } = globalThis as unknown as WorkerPush;
        let threadId = '';
        let decisionAt = 0;
        const client = tandem.runtime.attach('panel', (m) => {
          if (m.type === 'ack' && m.threadId) threadId = m.threadId;
          if (m.type === 'thread.event' && m.event?.kind === 'decision_requested') decisionAt = performance.now();
        });
        await client.receive({ type: 'thread.create', id: `bench-c-${Math.random()}` });
        await client.receive({ type: 'thread.subscribe', id: `bench-s-${Math.random()}`, threadId, tail: 1 });
        const sent = new Promise<number>((resolve) => {
          const stop = tandem.push.notifier.onDelivery((d) => {
            if (d.notice.threadId === threadId && d.notice.kind === 'decision' && d.outcome.kind === 'sent') {
              stop();
              resolve(performance.now() - decisionAt);
            }
          });
        });
        await client.receive({ type: 'message.send', id: `bench-m-${Math.random()}`, threadId, text: 'Ping me' });
        const ms = await sent;
        await client.receive({ type: 'task.stop', id: `bench-t-${Math.random()}`, threadId });
        return ms;
      });
      if (run >= 2) samples.push(ms);
    }
    return samples;
  } finally {
    await browser.close();
    sandbox.cleanup();
  }
}
