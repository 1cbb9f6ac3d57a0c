import { describe, expect, it } from 'vitest';
import { PageOutbox } from '../../phone-web/src/page-outbox';
import { ConversationClient } from '../../shared/client/conversation-client';
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

describe('the phone’s durable outbox', () => {
  it('keeps a message written while unreachable across a page reload and sends it once when the link returns', async () => {
    const storage = new MemoryStorage();
    const first = new ConversationClient(new FakeLink(), new PageOutbox(storage));
    void first.send({ type: 'message.send', threadId: 't1', text: 'written on the train' }).catch(() => {});
    // The tab is killed before the link came back; a new page load reads the outbox.
    const link = new FakeLink();
    const second = new ConversationClient(link, new PageOutbox(storage));
    link.open();
    const sends = link.sent.filter((m) => m.type === 'message.send');
    expect(sends).toHaveLength(1);
    expect(sends[0]).toMatchObject({ threadId: 't1', text: 'written on the train' });
    // Answered: gone from storage, so the next load does not send it again.
    link.deliver({ type: 'ack', commandId: sends[0]?.id });
    expect(new PageOutbox(storage).load()).toEqual([]);
    second.dispose();
  });

  it('keeps only mutating commands, and drops damaged entries instead of sending them', () => {
    const storage = new MemoryStorage();
    const client = new ConversationClient(new FakeLink(), new PageOutbox(storage));
    void client.send({ type: 'threads.list', includeArchived: true }).catch(() => {});
    expect(new PageOutbox(storage).load()).toEqual([]);
    storage.setItem('tandem.outbox.v1', JSON.stringify([{ type: 'backup.nuke', id: 'x' }, 'junk']));
    expect(new PageOutbox(storage).load()).toEqual([]);
    storage.setItem('tandem.outbox.v1', '{not json');
    expect(new PageOutbox(storage).load()).toEqual([]);
  });

  it('shows a message that is waiting for the link as queued, until the runtime applied it', () => {
    const link = new FakeLink();
    const client = new ConversationClient(link, new PageOutbox(new MemoryStorage()));
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

  it('shows a queued message with its attachments, so a photo sent without words is not an empty bubble', () => {
    const client = new ConversationClient(new FakeLink(), new PageOutbox(new MemoryStorage()));
    client.subscribe('t1');
    const photo = { kind: 'image' as const, name: 'beach.png', mediaType: 'image/png' as const, data: 'iVBORw0K' };
    void client.send({ type: 'message.send', threadId: 't1', text: '', attachments: [photo] }).catch(() => {});
    expect(client.queuedMessages('t1')).toEqual([expect.objectContaining({ text: '', attachments: [photo] })]);
    client.dispose();
  });

  it('forgets what was waiting when the pairing is forgotten: it would go to no computer', () => {
    const storage = new MemoryStorage();
    const client = new ConversationClient(new FakeLink(), new PageOutbox(storage));
    void client.send({ type: 'message.send', threadId: 't1', text: 'for the old computer' }).catch(() => {});
    expect(new PageOutbox(storage).load()).toHaveLength(1);
    client.discardQueued();
    expect(client.queuedMessages('t1')).toEqual([]);
    expect(new PageOutbox(storage).load()).toEqual([]);
    // A new pairing's link opens: nothing from before is sent to it.
    const link = new FakeLink();
    const next = new ConversationClient(link, new PageOutbox(storage));
    link.open();
    expect(link.sent.filter((m) => m.type === 'message.send')).toEqual([]);
    next.dispose();
    client.dispose();
  });
});
