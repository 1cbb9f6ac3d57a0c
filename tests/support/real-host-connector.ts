/** A NativeConnector that starts the real built host the way Chrome does: argv = our origin, frames on stdio. */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import type { NativeConnector, NativePort } from '../../extension/files/native-port';
import { encodeFrame, FrameDecoder } from '../../native-host/src/framing';
import { CHROME_ORIGIN } from '../../native-host/test/helpers/host-process';

export function realHostConnector(
  bundle: string,
  hostHome: string,
  children: ChildProcessWithoutNullStreams[],
): NativeConnector {
  return {
    connect(): NativePort {
      const child = spawn(process.execPath, [bundle, CHROME_ORIGIN], {
        env: { PATH: process.env.PATH ?? '', HOME: hostHome, TANDEM_HOST_HOME: hostHome },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      children.push(child);
      const decoder = new FrameDecoder(64 * 1024 * 1024);
      const onMessage: Array<(message: unknown) => void> = [];
      const onDisconnect: Array<() => void> = [];
      child.stdin.on('error', () => undefined);
      child.stdout.on('data', (chunk: Buffer) => {
        for (const frame of decoder.push(chunk))
          if (frame.kind === 'message') for (const l of onMessage) l(frame.value);
      });
      child.on('exit', () => {
        for (const l of onDisconnect) l();
      });
      return {
        postMessage: (message) => child.stdin.write(encodeFrame(message)),
        disconnect: () => child.stdin.end(),
        onMessage: { addListener: (l) => onMessage.push(l) },
        onDisconnect: { addListener: (l) => onDisconnect.push(l) },
      };
    },
    disconnectReason: () => 'Native host has exited.',
  };
}
