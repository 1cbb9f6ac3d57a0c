import { IDBObjectStore as FDBObjectStore, IDBFactory } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OUTBOX_DB, OUTBOX_FULL_CODE, OUTBOX_STORE, PageOutbox } from '../../phone-web/src/page-outbox';
import { CommandError, ConversationClient } from '../../shared/client/conversation-client';
import type { Transport, TransportState } from '../../shared/client/transport';

class MemoryStorage implements Storage {
  private readonly map = new Map<string, string>();
  get length() {
    return this.map.size;
  }
  clear() {
    this.map.clear();
  }
  getItem(key: string) {
    return this.map.get(key) ?? null;
  }
  key(index: number) {
    return [...this.map.keys()][index] ?? null;
  }
  removeItem(key: string) {
    this.map.delete(key);
  }
  setItem(key: string, value: string) {
    this.map.set(key, value);
  }
}

class FakeLink implements Transport {
  state: TransportState = 'connecting';
  readonly sent: { type: string; id: string }[] = [];
  private readonly messageListeners = new Set<(m: unknown) => void>();
  private readonly stateListeners = new Set<(s: TransportState) => void>();
  send(message: unknown) {
    this.sent.push(message as { type: string; id: string });
  }
  onMessage(listener: (m: unknown) => void) {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }
  onState(listener: (s: TransportState) => void) {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }
  close() {}
  open() {
    this.state = 'open';
    for (const listener of this.stateListeners) listener('open');
  }
  deliver(message: unknown) {
    for (const listener of this.messageListeners) listener(message);
  }
}

/** One phone page's storage: its IndexedDB and its localStorage, kept across "reloads". */
const newPhoneStorage = () => ({ indexedDB: new IDBFactory(), legacy: new MemoryStorage() });
type PhoneStorage = ReturnType<typeof newPhoneStorage>;
const reload = (storage: PhoneStorage) => PageOutbox.open(storage);
const LEGACY_KEY = 'tandem.outbox.v1';

/** Writes a row straight into the page's database, as a damaged or foreign entry would be. */
function putRaw(factory: IDBFactory, row: unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = factory.open(OUTBOX_DB, 1);
    request.onerror = () => reject(request.error);
    request.onsuccess = () => {
      const db = request.result;
      const transaction = db.transaction(OUTBOX_STORE, 'readwrite');
      transaction.objectStore(OUTBOX_STORE).put(row);
      transaction.oncomplete = () => {
        db.close();
        resolve();
      };
      transaction.onabort = () => reject(transaction.error);
    };
  });
}

/** A photo as the composer sends it: base64 of an already scaled image, about 1.1 MB of text. */
const photo = (n: number) => ({
  kind: 'image' as const,
  name: `photo-${n}.jpg`,
  mediaType: 'image/jpeg' as const,
  data: Buffer.alloc(830_000, n).toString('base64'),
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the phone’s durable outbox, in the page’s IndexedDB', () => {
  it('keeps a message written while unreachable across a page reload and sends it once when the link returns', async () => {
    const storage = newPhoneStorage();
    const outbox = await reload(storage);
    const first = new ConversationClient(new FakeLink(), outbox);
    void first.send({ type: 'message.send', threadId: 't1', text: 'written on the train' }).catch(() => {});
    await outbox.settled();
    // The tab is killed before the link came back; a new page load reads the outbox.
    const link = new FakeLink();
    const again = await reload(storage);
    const second = new ConversationClient(link, again);
    link.open();
    const sends = link.sent.filter((m) => m.type === 'message.send');
    expect(sends).toHaveLength(1);
    expect(sends[0]).toMatchObject({ threadId: 't1', text: 'written on the train' });
    // Answered: gone from storage, so the next load does not send it again.
    link.deliver({ type: 'ack', commandId: sends[0]?.id });
    await again.settled();
    expect((await reload(storage)).load()).toEqual([]);
    second.dispose();
  });

  it('a tab still open sends, when its link returns, what another tab of the page kept and was closed with', async () => {
    // Two tabs (or the installed app and a browser tab) share the page's IndexedDB outbox.
    const storage = newPhoneStorage();
    const stayingLink = new FakeLink();
    const stayingOutbox = await reload(storage);
    const staying = new ConversationClient(stayingLink, stayingOutbox);
    const closedOutbox = await reload(storage);
    const closed = new ConversationClient(new FakeLink(), closedOutbox);
    void closed.send({ type: 'message.send', threadId: 't1', text: 'typed in the other tab' }).catch(() => {});
    await closedOutbox.settled();
    closed.dispose(); // that tab is closed before the computer is reachable again
    stayingLink.open();
    await vi.waitFor(() => expect(stayingLink.sent.filter((m) => m.type === 'message.send')).toHaveLength(1));
    const [sent] = stayingLink.sent.filter((m) => m.type === 'message.send');
    expect(sent).toMatchObject({ threadId: 't1', text: 'typed in the other tab' });
    // Its own id: the runtime applies a command once per id, whichever tab sends it.
    stayingLink.deliver({ type: 'ack', commandId: sent?.id });
    await stayingOutbox.settled();
    expect((await reload(storage)).load()).toEqual([]);
    // Sent once: a later 'open' of the same link does not send it again.
    stayingLink.open();
    await stayingOutbox.settled();
    expect(stayingLink.sent.filter((m) => m.type === 'message.send')).toHaveLength(1);
    staying.dispose();
  });

  it('keeps several messages with large photos, far beyond localStorage’s 5 MB, in order', async () => {
    const storage = newPhoneStorage();
    const outbox = await reload(storage);
    const client = new ConversationClient(new FakeLink(), outbox);
    for (let i = 0; i < 3; i++) {
      void client
        .send({
          type: 'message.send',
          threadId: 't1',
          text: `album ${i}`,
          attachments: [photo(2 * i), photo(2 * i + 1)],
        })
        .catch(() => {});
    }
    await outbox.settled();
    const kept = (await reload(storage)).load();
    expect(kept.map((c) => (c.type === 'message.send' ? c.text : ''))).toEqual(['album 0', 'album 1', 'album 2']);
    expect(JSON.stringify(kept).length).toBeGreaterThan(6_000_000);
    expect(storage.legacy.getItem(LEGACY_KEY)).toBeNull();
    client.dispose();
  });

  it('moves an outbox left in localStorage by an earlier version into IndexedDB, once', async () => {
    const storage = newPhoneStorage();
    const old = [
      { type: 'message.send', id: 'c-old-1', threadId: 't1', text: 'first' },
      { type: 'backup.nuke', id: 'x' },
      { type: 'message.send', id: 'c-old-2', threadId: 't1', text: 'second' },
    ];
    storage.legacy.setItem(LEGACY_KEY, JSON.stringify(old));
    const outbox = await reload(storage);
    expect(outbox.load().map((c) => c.id)).toEqual(['c-old-1', 'c-old-2']);
    expect(storage.legacy.getItem(LEGACY_KEY)).toBeNull();
    // Nothing doubled on the next load; a later message goes after the moved ones.
    const client = new ConversationClient(new FakeLink(), outbox);
    void client.send({ type: 'message.send', threadId: 't1', text: 'third' }).catch(() => {});
    await outbox.settled();
    const texts = (await reload(storage)).load().map((c) => (c.type === 'message.send' ? c.text : ''));
    expect(texts).toEqual(['first', 'second', 'third']);
    client.dispose();
  });

  it('keeps only mutating commands, and drops damaged entries instead of sending them', async () => {
    const storage = newPhoneStorage();
    const outbox = await reload(storage);
    const client = new ConversationClient(new FakeLink(), outbox);
    void client.send({ type: 'threads.list', includeArchived: true }).catch(() => {});
    await outbox.settled();
    expect((await reload(storage)).load()).toEqual([]);
    await putRaw(storage.indexedDB, { id: 'x', order: 1, command: { type: 'backup.nuke', id: 'x' } });
    await putRaw(storage.indexedDB, { id: 'junk', order: 2, command: 'junk' });
    // A valid command under another id than its own: not trusted either.
    await putRaw(storage.indexedDB, {
      id: 'other',
      order: 3,
      command: { type: 'message.send', id: 'c-1', threadId: 't1', text: 'moved' },
    });
    expect((await reload(storage)).load()).toEqual([]);
    storage.legacy.setItem(LEGACY_KEY, '{not json');
    expect((await reload(storage)).load()).toEqual([]);
    client.dispose();
  });

  it('says so when storage is full, and the message is not queued, not sent later, and can be written again', async () => {
    const storage = newPhoneStorage();
    const outbox = await reload(storage);
    const link = new FakeLink();
    const client = new ConversationClient(link, outbox);
    client.subscribe('t1');
    vi.spyOn(FDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    });
    const sending = client.send({ type: 'message.send', threadId: 't1', text: 'too much', attachments: [photo(1)] });
    const error = await sending.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CommandError);
    expect((error as CommandError).code).toBe(OUTBOX_FULL_CODE);
    expect((error as CommandError).message).toMatch(/storage is full/i);
    // Told (the conversation's banner shows lastError), and nothing pretends it will go out.
    expect(client.lastError?.code).toBe(OUTBOX_FULL_CODE);
    expect(client.queuedMessages('t1')).toEqual([]);
    link.open();
    expect(link.sent.filter((m) => m.type === 'message.send')).toEqual([]);
    vi.restoreAllMocks();
    expect((await reload(storage)).load()).toEqual([]);
    client.dispose();
  });

  it('a message already sent over an open link is not withdrawn when storage is full', async () => {
    const storage = newPhoneStorage();
    const outbox = await reload(storage);
    const link = new FakeLink();
    link.open();
    const client = new ConversationClient(link, outbox);
    vi.spyOn(FDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    });
    const sending = client.send({ type: 'message.send', threadId: 't1', text: 'online' });
    await outbox.settled();
    const sent = link.sent.find((m) => m.type === 'message.send');
    expect(sent).toBeDefined();
    link.deliver({ type: 'ack', commandId: sent?.id, threadId: 't1' });
    await expect(sending).resolves.toBe('t1');
    client.dispose();
  });

  it('shows a message that is waiting for the link as queued, until the runtime applied it', async () => {
    const link = new FakeLink();
    const client = new ConversationClient(link, await reload(newPhoneStorage()));
    client.subscribe('t1');
    void client.send({ type: 'message.send', threadId: 't1', text: 'written in the tunnel' }).catch(() => {});
    void client.send({ type: 'message.send', threadId: 't2', text: 'another thread' }).catch(() => {});
    expect(client.queuedMessages('t1').map((m) => m.text)).toEqual(['written in the tunnel']);
    link.open();
    const sent = link.sent.find(
      (m) => m.type === 'message.send' && m.id && (m as { text?: string }).text === 'written in the tunnel',
    );
    expect(sent).toBeDefined();
    // The runtime logged it (the event names the command): shown from the log, no longer as queued.
    link.deliver({
      type: 'thread.event',
      threadId: 't1',
      event: {
        threadId: 't1',
        seq: 1,
        at: Date.now(),
        kind: 'user_message',
        text: 'written in the tunnel',
        by: { kind: 'phone', clientId: 'c1' },
        commandId: sent?.id,
      },
    });
    expect(client.queuedMessages('t1')).toEqual([]);
    client.dispose();
  });

  it('shows a queued message with its attachments, so a photo sent without words is not an empty bubble', async () => {
    const client = new ConversationClient(new FakeLink(), await reload(newPhoneStorage()));
    client.subscribe('t1');
    const image = { kind: 'image' as const, name: 'beach.png', mediaType: 'image/png' as const, data: 'iVBORw0K' };
    void client.send({ type: 'message.send', threadId: 't1', text: '', attachments: [image] }).catch(() => {});
    expect(client.queuedMessages('t1')).toEqual([expect.objectContaining({ text: '', attachments: [image] })]);
    client.dispose();
  });

  it('forgets what another tab of the page kept, too, when the pairing is forgotten', async () => {
    const storage = newPhoneStorage();
    const forgettingOutbox = await reload(storage);
    const forgetting = new ConversationClient(new FakeLink(), forgettingOutbox);
    const otherOutbox = await reload(storage);
    const other = new ConversationClient(new FakeLink(), otherOutbox);
    void other.send({ type: 'message.send', threadId: 't1', text: 'for the old computer' }).catch(() => {});
    await otherOutbox.settled();
    other.dispose(); // closed; the pairing store (shared too) is then forgotten in the tab left open
    forgetting.discardQueued();
    await forgettingOutbox.settled();
    expect((await reload(storage)).load()).toEqual([]);
    // The next computer paired gets nothing meant for the old one.
    const link = new FakeLink();
    const next = new ConversationClient(link, await reload(storage));
    link.open();
    await vi.waitFor(() => expect(link.sent.some((m) => m.type === 'threads.list')).toBe(true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(link.sent.filter((m) => m.type === 'message.send')).toEqual([]);
    next.dispose();
    forgetting.dispose();
  });

  it('forgets what was waiting when the pairing is forgotten: it would go to no computer', async () => {
    const storage = newPhoneStorage();
    const outbox = await reload(storage);
    const client = new ConversationClient(new FakeLink(), outbox);
    void client.send({ type: 'message.send', threadId: 't1', text: 'for the old computer' }).catch(() => {});
    await outbox.settled();
    expect((await reload(storage)).load()).toHaveLength(1);
    client.discardQueued();
    await outbox.settled();
    expect(client.queuedMessages('t1')).toEqual([]);
    expect((await reload(storage)).load()).toEqual([]);
    // A new pairing's link opens: nothing from before is sent to it.
    const link = new FakeLink();
    const next = new ConversationClient(link, await reload(storage));
    link.open();
    expect(link.sent.filter((m) => m.type === 'message.send')).toEqual([]);
    next.dispose();
    client.dispose();
  });
});

describe('a phone whose IndexedDB never answers', () => {
  it('starts the page anyway, with an outbox that says it cannot keep messages', async () => {
    // An open request that fires no event at all, as old Safari's sometimes did.
    const silent = { open: () => ({}) as IDBOpenDBRequest } as unknown as IDBFactory;
    const started = Date.now();
    const outbox = await PageOutbox.open({ indexedDB: silent, legacy: new MemoryStorage(), openTimeoutMs: 50 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(outbox.load()).toEqual([]);
  });
});
