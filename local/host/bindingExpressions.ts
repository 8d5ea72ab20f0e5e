import { randomUUID } from 'node:crypto';

/** A binding expression that cannot be resolved: the invocation fails with 500, as in Azure. */
export class BindingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BindingError';
  }
}

/**
 * Binding data: keys compared without regard to case, as the host's dictionary
 * (StringComparer.OrdinalIgnoreCase) compares them: setting a key again replaces its value and
 * keeps the spelling it was first set with. Values are strings or JSON objects.
 */
export class BindingData implements Iterable<[string, unknown]> {
  private readonly entries = new Map<string, [string, unknown]>();

  set(key: string, value: unknown): this {
    const lower = key.toLowerCase();
    this.entries.set(lower, [this.entries.get(lower)?.[0] ?? key, value]);
    return this;
  }

  has(key: string): boolean {
    return this.entries.has(key.toLowerCase());
  }

  get(key: string): unknown {
    return this.entries.get(key.toLowerCase())?.[1];
  }

  /** Each key in the spelling it was first set with, and its value. */
  *[Symbol.iterator](): Iterator<[string, unknown]> {
    for (const entry of this.entries.values()) yield entry;
  }
}

export interface HttpBindingSource {
  /** The raw body text, or undefined when there is none. */
  readonly rawBody: string | undefined;
  /** Whether the request declared a Content-Length above zero. */
  readonly hasContentLength: boolean;
  readonly query: URLSearchParams;
  readonly params: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
}

/** JSON.NET's `(string)JValue`: booleans print as True/False. */
function jsonValueToString(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return String(value);
}

function isJsonText(text: string): boolean {
  const trimmed = text.trim();
  return (
    (trimmed.startsWith('{') && trimmed.endsWith('}')) ||
    (trimmed.startsWith('[') && trimmed.endsWith(']'))
  );
}

/**
 * An HTTP trigger's binding data, built in Azure's order (docs/functions-host.md, "Binding
 * data"): the JSON body's top-level properties (only with a Content-Length above zero; objects
 * kept as objects, arrays and nulls skipped), then query parameters (the last of a repeated one,
 * `code` skipped), then route values; then `query` and `headers` only if no key of that name
 * exists yet. So a body or query can shadow the real headers, exactly as on Azure.
 */
export function buildBindingData(source: HttpBindingSource): BindingData {
  const data = new BindingData();
  const set = (key: string, value: unknown) => data.set(key, value);
  if (source.hasContentLength && source.rawBody !== undefined && isJsonText(source.rawBody)) {
    try {
      const parsed: unknown = JSON.parse(source.rawBody);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
        for (const [key, value] of Object.entries(parsed)) {
          if (value === null || Array.isArray(value)) continue;
          set(key, typeof value === 'object' ? value : jsonValueToString(value));
        }
    } catch {
      // Not JSON: no binding data from the body, and no error (as in Azure).
    }
  }
  const query: Record<string, string> = {};
  for (const key of new Set(source.query.keys())) {
    const values = source.query.getAll(key);
    query[key] = values[values.length - 1];
    if (key.toLowerCase() !== 'code') set(key, query[key]);
  }
  for (const [key, value] of Object.entries(source.params)) set(key, value);
  if (!data.has('query')) set('query', query);
  if (!data.has('headers')) set('headers', source.headers);
  return data;
}

function property(value: unknown, name: string, full: string): unknown {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const key = Object.keys(value).find(
      (candidate) => candidate.toLowerCase() === name.toLowerCase(),
    );
    if (key !== undefined) return (value as Record<string, unknown>)[key];
  }
  // A missing key is an error, not "": the seed's negotiate fails when nobody is signed in.
  throw new BindingError(`Error while accessing '${full}': property doesn't exist.`);
}

function utcNow(): string {
  // yyyy-MM-ddTHH-mm-ssK, as the host formats {sys.utcnow} and {datetime}.
  return new Date()
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/:/g, '-');
}

/**
 * Resolves `{name}` and `{name.path.to.value}` against binding data (keys and nested properties
 * without regard to case), plus `{rand-guid}`, `{sys.randguid}`, `{sys.utcnow}`, `{datetime}`.
 */
export function resolveExpression(template: string, data: BindingData): string {
  return template.replace(/\{([^{}]+)\}/g, (_match, expression: string) => {
    const lower = expression.toLowerCase();
    if (lower === 'rand-guid' || lower === 'sys.randguid') return randomUUID();
    if (lower === 'sys.utcnow' || lower === 'datetime') return utcNow();
    const [first, ...path] = expression.split('.');
    if (!data.has(first))
      throw new BindingError(`Error while accessing '${first}': property doesn't exist.`);
    let value = data.get(first);
    for (const name of path) value = property(value, name, name);
    if (typeof value === 'object' && value !== null) return JSON.stringify(value);
    return String(value);
  });
}
