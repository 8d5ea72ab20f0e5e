import { readFileSync } from 'node:fs';

/**
 * Upstream settings as Azure SignalR Service keeps them: an ordered list of templates, each a URL
 * template with hub, category and event patterns (Azure/azure-signalr,
 * src/Microsoft.Azure.SignalR.Emulator/Upstreams/UpstreamTemplateItem.cs, HttpUpstreamTrigger.cs
 * `TryGetMatchedUpstreamContext`, Common/Utils.cs `GetUpstreamUrl`; Microsoft Learn, "Upstream
 * endpoints"). docs/signalr-service.md, "Upstream settings".
 *
 * - A pattern is `*` (any), a name, or names joined by `,` (each trimmed); names compare exactly
 *   (a HashSet<string> with the ordinal comparer). A missing pattern is `*`.
 * - The first template whose three patterns match is used; when none matches, the event is not
 *   sent at all ("Upstream for this event is not set, ignore the event", HubProxyHandler.cs).
 * - `{hub}`, `{category}` and `{event}` in the URL template are replaced by the values escaped
 *   as a URI data string (Uri.EscapeDataString); the result must be an absolute URI.
 *
 * The repository keeps ONE list, `infra/signalr-upstream.json`: `infra/provision.sh` applies it
 * on Azure (`az signalr upstream update --template …`, in order) and the offline stack loads it,
 * with `%APP_URL%` and `%SIGNALR_EXTENSION_KEY%` filled in by each, so a template that would not
 * match on Azure does not match here either.
 */
export interface UpstreamTemplate {
  readonly urlTemplate: string;
  readonly hubPattern?: string;
  readonly categoryPattern?: string;
  readonly eventPattern?: string;
}

/** The repository's one list (relative to the project root). */
export const UPSTREAM_SETTINGS_FILE = 'infra/signalr-upstream.json';
const PATTERN_NAMES = ['hubPattern', 'categoryPattern', 'eventPattern'] as const;
/** A name in a pattern: what a hub, category or event can be called (no `,`, no spaces). */
const PATTERN_NAME = /^[^\s,]+$/;
const PLACEHOLDER = /\{(?:hub|category|event)\}/g;

function names(pattern: string | undefined): Set<string> {
  return new Set((pattern ?? '*').split(',').map((name) => name.trim()));
}

function matches(value: string, pattern: string | undefined): boolean {
  const allowed = names(pattern);
  return allowed.has('*') || allowed.has(value);
}

/** The URL the first matching template gives for an event, or undefined when none matches. */
export function upstreamUrl(
  templates: readonly UpstreamTemplate[],
  hub: string,
  category: string,
  event: string,
): string | undefined {
  const template = templates.find(
    (t) =>
      matches(hub, t.hubPattern) &&
      matches(category, t.categoryPattern) &&
      matches(event, t.eventPattern),
  );
  if (template === undefined) return undefined;
  const values: Record<string, string> = { '{hub}': hub, '{category}': category, '{event}': event };
  return template.urlTemplate.replace(PLACEHOLDER, (placeholder) =>
    encodeURIComponent(values[placeholder]),
  );
}

/** Why a template cannot be used, as a sentence, or undefined when it can. */
function templateProblem(template: unknown): string | undefined {
  if (typeof template !== 'object' || template === null || Array.isArray(template))
    return 'it is not an object with a urlTemplate.';
  const t = template as Record<string, unknown>;
  if (typeof t.urlTemplate !== 'string' || t.urlTemplate.trim() === '')
    return 'it has no urlTemplate (Azure requires one: url-template=...).';
  let url: URL;
  try {
    url = new URL(t.urlTemplate.replace(PLACEHOLDER, 'x'));
  } catch {
    return `its urlTemplate ${JSON.stringify(t.urlTemplate)} is not an absolute URL.`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `its urlTemplate must be http or https, not ${url.protocol}`;
  if (/\{(?!hub\}|category\}|event\})[^}]*\}/.test(t.urlTemplate))
    return 'its urlTemplate has a placeholder other than {hub}, {category} and {event}.';
  for (const key of Object.keys(t))
    if (key !== 'urlTemplate' && !(PATTERN_NAMES as readonly string[]).includes(key))
      return `it has "${key}", which is not a template setting (urlTemplate, ${PATTERN_NAMES.join(', ')}).`;
  for (const key of PATTERN_NAMES) {
    const pattern = t[key];
    if (pattern === undefined) continue;
    if (typeof pattern !== 'string' || [...names(pattern)].some((n) => !PATTERN_NAME.test(n)))
      return `its ${key} ${JSON.stringify(pattern)} is not "*", a name, or names joined by ",".`;
  }
  return undefined;
}

/**
 * The templates of an upstream settings document (`{"templates": [...]}`) with `values`
 * (`%APP_URL%` → ...) filled in; throws an Error naming the template and what is wrong.
 */
export function parseUpstreamSettings(
  text: string,
  values: Readonly<Record<string, string>>,
  where = UPSTREAM_SETTINGS_FILE,
): UpstreamTemplate[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where} is not JSON: ${(error as Error).message}`);
  }
  const templates = (document as { templates?: unknown } | null)?.templates;
  // "$comment" beside "templates" is for readers.
  if (!Array.isArray(templates) || templates.length === 0)
    throw new Error(`${where} must hold {"templates": [...]} with at least one template.`);
  return templates.map((template: unknown, index) => {
    // The deployment's values first: what is checked is what Azure would be given.
    const filled =
      typeof template === 'object' &&
      template !== null &&
      typeof (template as { urlTemplate?: unknown }).urlTemplate === 'string'
        ? {
            ...(template as UpstreamTemplate),
            urlTemplate: Object.entries(values).reduce(
              (url, [name, value]) => url.split(name).join(value),
              (template as UpstreamTemplate).urlTemplate,
            ),
          }
        : template;
    const problem = templateProblem(filled);
    if (problem !== undefined)
      throw new Error(`${where}: upstream template ${index + 1} cannot be used: ${problem}`);
    return filled as UpstreamTemplate;
  });
}

/** The repository's list, read from the project root. */
export function loadUpstreamSettings(
  root: string,
  values: Readonly<Record<string, string>>,
): UpstreamTemplate[] {
  return parseUpstreamSettings(readFileSync(`${root}/${UPSTREAM_SETTINGS_FILE}`, 'utf8'), values);
}
