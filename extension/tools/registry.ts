/**
 * The tool registry. Each tool family (clock, web, files…) declares its tools
 * here: a zod input schema (sent to the model as JSON Schema and used to validate
 * what the model sends back), a description, a risk level, and an executor.
 */
import { z } from 'zod';
import type { Risk, ToolOutputBlock } from '../../shared/protocol';
import type { PermissionRequest } from '../permissions/permission-gate';
import type { ToolSpec } from '../runtime/model-client';

export interface ToolContext {
  threadId: string;
  taskId: string;
  toolUseId: string;
  signal: AbortSignal;
  now(): Date;
  /** The call acts in this agent tab (tools/tabs.ts): what the "acting in this tab" indicator shows. */
  actingIn?(tabId: number): void;
}

export interface ToolOutput {
  content: ToolOutputBlock[];
  isError?: boolean;
  /** Shown on the tool card (a diff, say); not sent to the model. */
  display?: string;
}

export interface ToolDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  input: S;
  risk: Risk;
  /** Safe to run again when a previous attempt's outcome is unknown (the runtime died mid-call). */
  idempotent: boolean;
  /** What the permission gate must decide before this call runs; undefined when nothing needs asking. */
  permission?(
    input: z.infer<S>,
    ctx: ToolContext,
  ): PermissionRequest | undefined | Promise<PermissionRequest | undefined>;
  execute(input: z.infer<S>, ctx: ToolContext): Promise<ToolOutput>;
  /** Sent to the model instead of `input`'s conversion: a connector tool passes its server's schema through. */
  inputJsonSchema?: Record<string, unknown>;
  /** The connector a tool comes from, for the audit log. */
  connectorId?: string;
}

/** A failure the model should hear about in words a person would understand too. */
/** What the person sees of a tool failure when the model's wording would not do. */
export interface ToolErrorForPeople {
  text: string;
  /** The settings section where it is fixed. */
  fixIn?: 'folders';
}

export class ToolError extends Error {
  constructor(
    message: string,
    readonly forPeople?: ToolErrorForPeople,
  ) {
    super(message);
    this.name = 'ToolError';
  }
}

export function textOutput(text: string, isError = false): ToolOutput {
  return { content: [{ type: 'text', text }], ...(isError ? { isError } : {}) };
}

export type ParsedToolCall = { ok: true; tool: ToolDefinition; input: unknown } | { ok: false; error: string };

export class ToolRegistry {
  private readonly tools = new Map<string, ToolDefinition>();
  /** Tools that come and go (connectors, `tools/list_changed`), by group; after the built-in ones. */
  private readonly groups = new Map<string, Map<string, ToolDefinition>>();
  /** JSON Schema conversion is costly and the specs never change after startup: computed once. */
  private cachedSpecs: ToolSpec[] | undefined;

  register<S extends z.ZodType>(...tools: ToolDefinition<S>[]): this {
    for (const tool of tools) {
      if (this.tools.has(tool.name)) throw new Error(`Tool ${tool.name} is registered twice`);
      this.tools.set(tool.name, tool as unknown as ToolDefinition);
    }
    this.cachedSpecs = undefined;
    return this;
  }

  /** Replaces one group's tools (an empty list removes the group); built-in names always win. */
  replaceGroup(group: string, tools: readonly ToolDefinition[]): void {
    this.groups.delete(group);
    const named = new Map<string, ToolDefinition>();
    for (const tool of tools) if (!this.get(tool.name)) named.set(tool.name, tool);
    if (named.size > 0) this.groups.set(group, named);
    this.cachedSpecs = undefined;
  }

  get(name: string): ToolDefinition | undefined {
    const builtIn = this.tools.get(name);
    if (builtIn) return builtIn;
    for (const group of this.groups.values()) {
      const tool = group.get(name);
      if (tool) return tool;
    }
    return undefined;
  }

  private all(): ToolDefinition[] {
    const grouped = [...this.groups.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .flatMap(([, tools]) => [...tools.values()].sort((a, b) => (a.name < b.name ? -1 : 1)));
    return [...this.tools.values(), ...grouped];
  }

  /** Tool definitions for the Messages API, in a stable order so the cached prefix stays the same. */
  specs(): ToolSpec[] {
    this.cachedSpecs ??= this.all().map((tool) => {
      if (tool.inputJsonSchema)
        return {
          name: tool.name,
          description: tool.description,
          input_schema: { ...tool.inputJsonSchema, type: 'object' },
        };
      const schema = z.toJSONSchema(tool.input, { target: 'draft-7', io: 'input' }) as Record<string, unknown>;
      delete schema.$schema;
      return {
        name: tool.name,
        description: tool.description,
        input_schema: { ...schema, type: 'object' },
      };
    });
    return this.cachedSpecs;
  }

  /** Validates the model's input for a tool; a bad input becomes a tool error for the model. */
  parse(name: string, input: unknown): ParsedToolCall {
    const tool = this.get(name);
    if (!tool) return { ok: false, error: `There is no tool named "${name}".` };
    const parsed = tool.input.safeParse(input);
    if (!parsed.success) {
      const issues = parsed.error.issues
        .map((issue) => `${issue.path.join('.') || '(input)'}: ${issue.message}`)
        .join('; ');
      return { ok: false, error: `Invalid input for ${name}: ${issues}` };
    }
    return { ok: true, tool, input: parsed.data };
  }
}
