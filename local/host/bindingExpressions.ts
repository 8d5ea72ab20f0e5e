import { randomUUID } from 'node:crypto';

/** A binding expression that cannot be resolved: the invocation fails with 500, as in Azure. */
export class BindingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BindingError';
  }
}

export interface ExpressionSource {
  readonly headers: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
}

function lookup(bag: Readonly<Record<string, string>>, name: string, full: string): string {
  const key = Object.keys(bag).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  // A missing key is an error, not "" (spec §3): the seed's negotiate fails when signed out.
  if (key === undefined)
    throw new BindingError(`Error while accessing '${full}': property doesn't exist.`);
  return bag[key];
}

function utcNow(): string {
  // yyyy-MM-ddTHH-mm-ssK, as the host formats {sys.utcnow} and {datetime}.
  return new Date()
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/:/g, '-');
}

/** Resolves `{headers.x}`, `{query.x}`, `{rand-guid}`, `{sys.randguid}`, `{sys.utcnow}`, `{datetime}`. */
export function resolveExpression(template: string, source: ExpressionSource): string {
  return template.replace(/\{([^{}]+)\}/g, (_match, expression: string) => {
    const lower = expression.toLowerCase();
    if (lower === 'rand-guid' || lower === 'sys.randguid') return randomUUID();
    if (lower === 'sys.utcnow' || lower === 'datetime') return utcNow();
    if (lower.startsWith('headers.'))
      return lookup(source.headers, expression.slice(8), expression.slice(8));
    if (lower.startsWith('query.'))
      return lookup(source.query, expression.slice(6), expression.slice(6));
    throw new BindingError(`Error while accessing '${expression}': property doesn't exist.`);
  });
}
