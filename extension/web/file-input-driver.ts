/**
 * Runs file-input.ts in an agent tab's top frame (isolated world) and parses
 * its answer: the page is untrusted, so nothing it says is used unchecked.
 */
import browser from 'webextension-polyfill';
import { ToolError } from '../tools/registry';
import {
  type FileInputRequest,
  type FileInputResponse,
  FileInputResponse as FileInputResponseSchema,
  fileInputAgent,
} from './file-input';

export interface FileInputs {
  run(tabId: number, expectedOrigin: string, request: FileInputRequest): Promise<FileInputResponse>;
}

export const browserFileInputs: FileInputs = {
  async run(tabId, expectedOrigin, request) {
    let results: Awaited<ReturnType<typeof browser.scripting.executeScript>>;
    try {
      results = await browser.scripting.executeScript({
        target: { tabId, frameIds: [0] },
        func: fileInputAgent,
        args: [request, expectedOrigin],
      });
    } catch (error) {
      throw new ToolError(
        `Could not reach the page in tab ${tabId}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const parsed = FileInputResponseSchema.safeParse(results[0]?.result);
    if (!parsed.success) throw new ToolError(`Tab ${tabId} gave an answer Tandem could not read.`);
    return parsed.data;
  },
};
