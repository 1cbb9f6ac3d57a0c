/**
 * The `connectors.*` commands (all trusted-only in COMMAND_RULES: a paired phone is refused before
 * any of this runs). Changes answer every panel with the new `connectors` list.
 */
import { CommandFailure } from '../runtime/command-failure';
import type { CommandEnv, CommandHandlers } from '../runtime/runtime-commands';
import { ConnectorImportError } from './connector-config';
import type { ConnectorService } from './connector-service';
import { ConnectorError } from './connector-session';

type ConnectorCommandType =
  | 'connectors.list'
  | 'connectors.add'
  | 'connectors.remove'
  | 'connectors.test'
  | 'connectors.setTool'
  | 'connectors.setEnabled'
  | 'connectors.signIn'
  | 'connectors.signOut'
  | 'connectors.log';

export function connectorHandlers(env: CommandEnv): Pick<CommandHandlers, ConnectorCommandType> {
  const service = (): ConnectorService => {
    if (!env.connectors) throw new CommandFailure('unavailable', 'Connectors are not available in this runtime.');
    return env.connectors;
  };
  const publish = async () =>
    env.hub.broadcast({ type: 'connectors', connectors: await service().views() }, (c) => c.kind === 'panel');
  const run = async (work: () => Promise<unknown>): Promise<undefined> => {
    try {
      await work();
    } catch (error) {
      if (error instanceof ConnectorImportError || error instanceof ConnectorError)
        throw new CommandFailure('invalid_command', error.message);
      throw error;
    }
    await publish();
    return undefined;
  };
  return {
    'connectors.list': async (_command, { client }) => {
      client.send({ type: 'connectors', connectors: await service().views() });
      return undefined;
    },
    'connectors.add': (command) => run(() => service().add(command.json)),
    'connectors.remove': (command) => run(() => service().remove(command.connectorId)),
    'connectors.test': (command) => run(() => service().test(command.connectorId)),
    'connectors.setTool': (command) => run(() => service().setTool(command.connectorId, command.tool, command.enabled)),
    'connectors.setEnabled': (command) => run(() => service().setEnabled(command.connectorId, command.enabled)),
    'connectors.signIn': (command) => run(() => service().signIn(command.connectorId)),
    'connectors.signOut': (command) => run(() => service().signOut(command.connectorId)),
    'connectors.log': async (command, { client }) => {
      let text = '';
      await run(async () => {
        text = await service().log(command.connectorId);
      });
      client.send({ type: 'connector.log', connectorId: command.connectorId, text });
      return undefined;
    },
  };
}
