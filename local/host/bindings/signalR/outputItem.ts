/**
 * What a `signalR` output binding item means, read as the Functions extension reads it
 * (Azure/azure-sdk-for-net, sdk/signalr/Microsoft.Azure.WebJobs.Extensions.SignalRService:
 * Bindings/SignalROutputConverter.cs, SignalRMessage.cs, SignalRGroupAction.cs, with
 * Newtonsoft.Json's rules): property names without regard to case (the last match wins); a
 * message (`target` and `arguments` required) is tried before a group action (`action`
 * required); anything else fails the invocation. docs/functions-host.md, "SignalR bindings".
 */
export interface SignalRMessageItem {
  readonly kind: 'message';
  readonly target: string;
  readonly arguments: readonly unknown[];
  readonly connectionId?: string;
  readonly userId?: string;
  readonly groupName?: string;
}

export type GroupAction = 'add' | 'remove' | 'removeAll';

export interface SignalRGroupActionItem {
  readonly kind: 'groupAction';
  /** Undefined for an integer that names no action: the extension then does nothing. */
  readonly action: GroupAction | undefined;
  readonly connectionId?: string;
  readonly userId?: string;
  readonly groupName?: string;
}

export type SignalROutputItem = SignalRMessageItem | SignalRGroupActionItem;

/** Why an item cannot be converted: the invocation fails with 500, as in Azure. */
export class OutputConversionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputConversionError';
  }
}

const NOT_CONVERTIBLE = 'Unable to convert JObject to valid output binding type, check parameters.';
const ACTIONS: readonly GroupAction[] = ['add', 'remove', 'removeAll'];

/** Newtonsoft's member lookup: an exact match, else a case-insensitive one; the last wins. */
function read(item: Record<string, unknown>, name: string): unknown {
  let value: unknown;
  for (const [key, entry] of Object.entries(item))
    if (key.toLowerCase() === name.toLowerCase()) value = entry;
  return value;
}

/** A JSON value into a .NET string property: primitives convert, objects and arrays fail. */
function asString(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  throw new OutputConversionError(NOT_CONVERTIBLE);
}

function toMessage(item: Record<string, unknown>): SignalRMessageItem | undefined {
  const target = read(item, 'target');
  const args = read(item, 'arguments');
  // [JsonRequired]: present and not null; `object[]` takes only an array.
  if (target === undefined || target === null || !Array.isArray(args)) return undefined;
  try {
    return {
      kind: 'message',
      target: asString(target)!,
      arguments: args,
      connectionId: asString(read(item, 'connectionId')),
      userId: asString(read(item, 'userId')),
      groupName: asString(read(item, 'groupName')),
    };
  } catch {
    return undefined;
  }
}

/** StringEnumConverter: a name in any case, or an integer (one that names nothing is kept as such). */
function toAction(value: unknown): GroupAction | undefined | null {
  if (typeof value === 'string')
    return ACTIONS.find((action) => action.toLowerCase() === value.toLowerCase()) ?? null;
  if (typeof value === 'number' && Number.isInteger(value)) return ACTIONS[value];
  return null;
}

export function convertOutputItem(item: unknown): SignalROutputItem {
  if (item === null || item === undefined)
    throw new OutputConversionError("Value cannot be null. (Parameter 'item')");
  if (typeof item !== 'object' || Array.isArray(item))
    throw new OutputConversionError(NOT_CONVERTIBLE);
  const fields = item as Record<string, unknown>;
  const message = toMessage(fields);
  if (message !== undefined) return message;
  const action = toAction(read(fields, 'action'));
  if (action === null) throw new OutputConversionError(NOT_CONVERTIBLE);
  return {
    kind: 'groupAction',
    action,
    connectionId: asString(read(fields, 'connectionId')),
    userId: asString(read(fields, 'userId')),
    groupName: asString(read(fields, 'groupName')),
  };
}
