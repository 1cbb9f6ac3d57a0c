/** The local MCP servers this host process runs, one per connector, all stopped when the browser goes. */
import path from 'node:path';
import { HostError } from '../errors';
import { type StdioLaunch, StdioServer } from './stdio-server';

export class McpServers {
  private readonly servers = new Map<string, StdioServer>();

  constructor(private readonly logDir: string) {}

  logFile(connectorId: string): string {
    return path.join(this.logDir, `${connectorId}.log`);
  }

  /** Starts the program unless it runs already with the same launch; a changed launch restarts it. */
  async start(connectorId: string, launch: StdioLaunch): Promise<{ pid: number; alreadyRunning: boolean }> {
    const running = this.servers.get(connectorId);
    if (running && !running.exited && JSON.stringify(running.launch) === JSON.stringify(launch))
      return { pid: running.pid, alreadyRunning: true };
    if (running) await running.stop();
    const server = new StdioServer(launch, this.logFile(connectorId));
    this.servers.set(connectorId, server);
    return { pid: server.pid, alreadyRunning: false };
  }

  get(connectorId: string): StdioServer {
    const server = this.servers.get(connectorId);
    if (!server) throw new HostError('not_found', `connector ${connectorId} is not running`);
    return server;
  }

  has(connectorId: string): StdioServer | undefined {
    return this.servers.get(connectorId);
  }

  async stop(connectorId: string): Promise<boolean> {
    const server = this.servers.get(connectorId);
    if (!server) return false;
    this.servers.delete(connectorId);
    await server.stop();
    return true;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.servers.keys()].map((id) => this.stop(id)));
  }
}
