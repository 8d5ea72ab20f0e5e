import { decodeSegment } from '../http/requestTarget';

/** A compiled route template (`messages/{id}`, `{id?}`, `{*rest}`, `{id:int}`). */
export interface Route {
  readonly pattern: RegExp;
  readonly paramNames: readonly string[];
}

/** Turns a route template under the prefix into a case-insensitive regex with named groups. */
export function compileRoute(prefix: string, template: string): Route {
  const paramNames: string[] = [];
  const full = [prefix, template].filter((part) => part.length > 0).join('/');
  const source = full
    .split('/')
    .map((segment) => {
      const match = /^\{(\*)?([A-Za-z_][\w]*)(?::[^}?]*)?(\?)?\}$/.exec(segment);
      if (match === null) return `/${segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
      paramNames.push(match[2]);
      if (match[1]) return '(?:/(.*))?';
      return match[3] ? '(?:/([^/]+))?' : '/([^/]+)';
    })
    .join('');
  return { pattern: new RegExp(`^${source}/?$`, 'i'), paramNames };
}

/** The first function whose route and methods match, with its route values (percent-decoded). */
export function matchRoute<T extends { route?: Route; methods?: readonly string[] }>(
  functions: readonly T[],
  path: string,
  method: string,
): { fn: T; params: Record<string, string> } | undefined {
  for (const fn of functions) {
    if (fn.route === undefined) continue;
    const match = fn.route.pattern.exec(path);
    // A method outside the list is a 404, not a 405 (docs/functions-host.md).
    if (match === null || (fn.methods !== undefined && !fn.methods.includes(method))) continue;
    const params: Record<string, string> = {};
    fn.route.paramNames.forEach((name, i) => {
      const value = match[i + 1];
      if (value !== undefined && value !== '') params[name] = decodeSegment(value);
    });
    return { fn, params };
  }
  return undefined;
}
