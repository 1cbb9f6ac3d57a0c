/**
 * The file commands in the real runtime (Node, in-memory IndexedDB): trusted-only
 * for phones, the bridge state reaches the panel, and the model's tool list has
 * the file tools but nothing that manages folders or empties the trash.
 */
import { describe, expect, it } from 'vitest';
import type { NativeConnector, NativePort } from '../../extension/files/native-port';
import { assembleRuntime } from '../../extension/runtime/assemble';
import type { CommandInput } from '../../shared/protocol';
import { connect } from '../support/runtime-harness';

/** A browser without the host installed: every port closes at once with Chrome's words. */
function missingHost(): NativeConnector & { connects: number } {
  const connector = {
    connects: 0,
    connect(): NativePort {
      connector.connects++;
      const disconnect: Array<() => void> = [];
      setTimeout(() => {
        for (const l of disconnect) l();
      }, 1);
      return {
        postMessage: () => undefined,
        disconnect: () => undefined,
        onMessage: { addListener: () => undefined },
        onDisconnect: { addListener: (l) => disconnect.push(l) },
      };
    },
    disconnectReason: () => 'Specified native messaging host not found.',
  };
  return connector;
}

describe('file commands in the runtime', () => {
  it('refuses every folder and trash command from a phone, before touching the host', async () => {
    const connector = missingHost();
    const assembled = assembleRuntime({ databaseName: `files-runtime-${Math.random()}`, nativeMessaging: connector });
    const phone = connect(assembled, 'phone');
    const commands: CommandInput[] = [
      { type: 'bridge.status' },
      { type: 'folders.list' },
      { type: 'folders.add', path: '/home/me', mode: 'read-write' },
      { type: 'folders.remove', name: 'x' },
      { type: 'folders.update', name: 'x', autoApproveWrites: true },
      { type: 'trash.list' },
      { type: 'trash.restore', entryId: 'abc' },
      { type: 'trash.purge', entryIds: ['abc'] },
    ];
    for (const command of commands) {
      expect(await phone.command(command)).toMatchObject({ type: 'error', code: 'not_allowed' });
    }
    expect(connector.connects).toBe(0);
  });

  it('tells the panel the host is not installed, with the install command', async () => {
    const assembled = assembleRuntime({
      databaseName: `files-runtime-${Math.random()}`,
      nativeMessaging: missingHost(),
    });
    const panel = connect(assembled, 'panel');
    expect(await panel.command({ type: 'folders.list' })).toMatchObject({ type: 'error', code: 'unavailable' });
    const bridge = panel.messages.filter((m) => m.type === 'bridge').at(-1);
    expect(bridge).toMatchObject({
      status: { state: 'not_installed', installCommand: 'npm run host:install' },
    });
  });

  it('offers the model file tools but no way to allow folders or purge the trash', () => {
    const assembled = assembleRuntime({
      databaseName: `files-runtime-${Math.random()}`,
      nativeMessaging: missingHost(),
    });
    const names = assembled.tools.specs().map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['list_dir', 'read_file', 'write_file', 'edit_file', 'delete']));
    expect(names.filter((n) => /root|folder|purge|trash/.test(n))).toEqual([]);
  });
});
