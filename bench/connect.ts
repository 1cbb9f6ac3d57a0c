/**
 * Connector benchmark, in Node against the real built native host and the real
 * server-everything from npm:
 *
 * - mcp_call_overhead_ms: one `echo` call through Tandem (the registry's parse, the
 *   permission gate with the tool granted, the call through the host's bridge,
 *   the untrusted wrapper and bound, the tool result and its audit row appended
 *   in one IndexedDB transaction, as the thread runner does), minus the same
 *   call with the SDK client talking to its own stdio server directly; the two
 *   are interleaved call by call, median of the 60 pairs' differences (goal ≤ 10).
 *   IndexedDB is fake-indexeddb here (Node has none).
 * - mcp_call_direct_ms, mcp_call_tandem_ms: the medians of each side, for context.
 */
import 'fake-indexeddb/auto';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { assembleRuntime } from '../extension/runtime/assemble';
import { boundToolOutput } from '../extension/runtime/bound-output';
import type { ToolContext } from '../extension/tools/registry';
import { buildHost, removeScratch, tempDir } from '../native-host/test/helpers/host-process';
import { serverEntry } from '../tests/support/mcp-servers';
import { realHostConnector } from '../tests/support/real-host-connector';
import { connect, newThread } from '../tests/support/runtime-harness';
import type { Metric } from './index';
import { median, round } from './stats';

const ROUNDS = 60;
const WARMUP = 10;

export async function runConnectBench(): Promise<Metric[]> {
  const children: ChildProcessWithoutNullStreams[] = [];
  const assembled = assembleRuntime({
    databaseName: `bench-connect-${process.pid}`,
    nativeMessaging: realHostConnector(buildHost(), tempDir('home'), children),
  });
  const direct = new Client({ name: 'bench', version: '1' });
  await direct.connect(
    new StdioClientTransport({ command: process.execPath, args: [serverEntry('server-everything'), 'stdio'] }),
  );
  try {
    await assembled.connectors.add(
      JSON.stringify({
        mcpServers: { everything: { command: process.execPath, args: [serverEntry('server-everything'), 'stdio'] } },
      }),
    );
    const tested = await assembled.connectors.test('everything');
    if (!tested.ok) throw new Error(tested.message);
    const threadId = await newThread(connect(assembled, 'panel'));
    const name = 'mcp_everything__echo';
    const ctx: ToolContext = {
      threadId,
      taskId: 'bench-task',
      toolUseId: 'u',
      signal: new AbortController().signal,
      now: () => new Date(),
    };
    const first = assembled.tools.parse(name, { message: 'x' });
    if (!first.ok) throw new Error(first.error);
    const request = await first.tool.permission?.(first.input, ctx);
    if (!request) throw new Error('a connector tool must ask the gate');
    await assembled.gate.answer(request, 'allow_tool', { taskId: 'bench-task', now: Date.now() });

    const throughTandem = async (i: number) => {
      const input = { message: `hello ${i}` };
      const parsed = assembled.tools.parse(name, input);
      if (!parsed.ok) throw new Error(parsed.error);
      const req = await parsed.tool.permission?.(parsed.input, ctx);
      if (!req || (await assembled.gate.decide(req, { taskId: 'bench-task', now: Date.now() })) !== 'allow')
        throw new Error('the grant should allow the call');
      // A fresh signal per call, as the runner gives each tool call its own.
      const output = await parsed.tool.execute(parsed.input, { ...ctx, signal: new AbortController().signal });
      const bounded = boundToolOutput(output.content);
      await assembled.log.append(
        threadId,
        [
          { kind: 'tool_started', taskId: 'bench-task', toolUseId: `u${i}`, name },
          {
            kind: 'tool_result',
            taskId: 'bench-task',
            toolUseId: `u${i}`,
            name,
            isError: false,
            truncated: bounded.truncated,
            content: bounded.content,
          },
        ],
        undefined,
        [
          {
            threadId,
            taskId: 'bench-task',
            toolUseId: `u${i}`,
            at: Date.now(),
            tool: name,
            connector: 'everything',
            input,
            decision: 'auto',
            outcome: 'ok',
          },
        ],
      );
    };
    const straight = async (i: number) => {
      await direct.callTool({ name: 'echo', arguments: { message: `hello ${i}` } });
    };
    const time = async (run: (i: number) => Promise<void>, i: number) => {
      const started = performance.now();
      await run(i);
      return performance.now() - started;
    };
    for (let i = 0; i < WARMUP; i++) {
      await throughTandem(i);
      await straight(i);
    }
    const tandem: number[] = [];
    const baseline: number[] = [];
    const differences: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const b = await time(straight, i);
      const t = await time(throughTandem, i);
      baseline.push(b);
      tandem.push(t);
      differences.push(t - b);
    }
    return [
      { metric: 'mcp_call_overhead_ms', value: round(median(differences)), unit: 'ms' },
      { metric: 'mcp_call_direct_ms', value: round(median(baseline)), unit: 'ms' },
      { metric: 'mcp_call_tandem_ms', value: round(median(tandem)), unit: 'ms' },
    ];
  } finally {
    await direct.close();
    await assembled.connectors.closeAll();
    assembled.files?.bridge.close();
    for (const child of children) child.kill();
    removeScratch();
  }
}
