/** One handler per op. The mapped type makes a missing op a compile error. */
import type {
  NativeHostOp,
  NativeHostRequest,
  NativeHostRequestOf,
  NativeHostResultOf,
} from '../../shared/protocol/native-host';
import type { HostContext } from './context';
import { mcpLog, mcpRecv, mcpSend, mcpStart, mcpStop } from './mcp/ops';
import { backupList, backupLoad, backupSave } from './ops/backup';
import { editFile } from './ops/edit-file';
import { listDir, stat } from './ops/list-dir';
import { makeDir, move } from './ops/move';
import { readFile } from './ops/read-file';
import { addRoot, hello, listRoots, removeRoot, updateRoot } from './ops/roots';
import { search } from './ops/search';
import { trash, trashList, trashPurge, trashRestore } from './ops/trash';
import { cancel, writeAbort, writeBegin, writeChunk, writeCommit, writeFile } from './ops/write';

type Handlers = {
  [Op in NativeHostOp]: (request: NativeHostRequestOf<Op>, ctx: HostContext) => Promise<NativeHostResultOf<Op>>;
};

const handlers: Handlers = {
  hello,
  'roots.list': listRoots,
  'roots.add': addRoot,
  'roots.remove': removeRoot,
  'roots.update': updateRoot,
  list_dir: listDir,
  stat,
  read_file: readFile,
  write_file: writeFile,
  'write.begin': writeBegin,
  'write.chunk': writeChunk,
  'write.commit': writeCommit,
  'write.abort': writeAbort,
  edit_file: editFile,
  search,
  move,
  make_dir: makeDir,
  trash,
  'trash.list': trashList,
  'trash.restore': trashRestore,
  'trash.purge': trashPurge,
  'backup.save': backupSave,
  'backup.list': backupList,
  'backup.load': backupLoad,
  cancel,
  'mcp.start': mcpStart,
  'mcp.send': mcpSend,
  'mcp.recv': mcpRecv,
  'mcp.stop': mcpStop,
  'mcp.log': mcpLog,
};

export function dispatch(request: NativeHostRequest, ctx: HostContext): Promise<unknown> {
  const handler = handlers[request.op] as (request: NativeHostRequest, ctx: HostContext) => Promise<unknown>;
  return handler(request, ctx);
}
