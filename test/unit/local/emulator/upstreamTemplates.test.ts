import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  UPSTREAM_SETTINGS_FILE,
  parseUpstreamSettings,
  upstreamUrl,
  type UpstreamTemplate,
} from '../../../../local/emulator/upstreamTemplates';

/**
 * Upstream templates as Azure matches them (UpstreamTemplateItem.cs, HttpUpstreamTrigger.cs,
 * Utils.GetUpstreamUrl): the cases of the official emulator's rules, one row each.
 */
describe('upstreamUrl', () => {
  const templates: UpstreamTemplate[] = [
    {
      urlTemplate: 'http://a/{event}',
      hubPattern: 'chat',
      eventPattern: 'connected, disconnected',
    },
    { urlTemplate: 'http://b/{hub}/{category}/{event}', categoryPattern: 'messages' },
    { urlTemplate: 'http://c/any', hubPattern: 'other' },
  ];

  it.each([
    ['chat', 'connections', 'connected', 'http://a/connected'], // first match wins (b would too)
    ['chat', 'connections', 'disconnected', 'http://a/disconnected'], // a list, each name trimmed
    ['chat', 'messages', 'typing', 'http://b/chat/messages/typing'], // not in a's list: the next
    ['Chat', 'connections', 'connected', undefined], // names compare exactly
    ['other', 'connections', 'connected', 'http://c/any'],
    ['chat', 'connections', 'reconnected', undefined], // no template: the event is not sent
    ['chat', 'messages', 'a b/c?', 'http://b/chat/messages/a%20b%2Fc%3F'], // escaped as data
  ])('%s / %s / %s → %s', (hub, category, event, url) => {
    expect(upstreamUrl(templates, hub, category, event)).toBe(url);
  });

  it('treats a missing pattern, and one with * among names, as any', () => {
    expect(upstreamUrl([{ urlTemplate: 'http://x/' }], 'h', 'c', 'e')).toBe('http://x/');
    expect(upstreamUrl([{ urlTemplate: 'http://x/', eventPattern: 'a,*' }], 'h', 'c', 'e')).toBe(
      'http://x/',
    );
  });
});

describe('parseUpstreamSettings', () => {
  const parse = (templates: unknown) =>
    parseUpstreamSettings(JSON.stringify({ templates }), { '%APP_URL%': 'http://app' }, 'up.json');

  it.each([
    [[], 'must hold {"templates": [...]} with at least one template'],
    [[{ hubPattern: 'chat' }], 'template 1 cannot be used: it has no urlTemplate'],
    [
      [{ urlTemplate: 'http://ok/' }, { urlTemplate: '/relative' }],
      'template 2 cannot be used: its urlTemplate "/relative" is not an absolute URL',
    ],
    [[{ urlTemplate: 'ftp://x/' }], 'must be http or https'],
    [
      [{ urlTemplate: 'http://x/{user}' }],
      'a placeholder other than {hub}, {category} and {event}',
    ],
    [
      [{ urlTemplate: 'http://x/', eventPattern: 'a b' }],
      'its eventPattern "a b" is not "*", a name',
    ],
    [[{ urlTemplate: 'http://x/', hubPattern: 'a,,b' }], 'its hubPattern "a,,b"'],
    [
      [{ urlTemplate: 'http://x/', hubpattern: 'chat' }],
      '"hubpattern", which is not a template setting',
    ],
  ])('refuses %j, naming the template: %s', (templates, words) => {
    expect(() => parse(templates)).toThrow(words);
  });

  it('fills the deployment values in before it checks the URL', () => {
    expect(parse([{ urlTemplate: '%APP_URL%/hook/{event}' }])).toEqual([
      { urlTemplate: 'http://app/hook/{event}' },
    ]);
  });

  it("accepts the repository's own list, the one provision.sh applies on Azure", () => {
    const text = readFileSync(join(__dirname, '../../../..', UPSTREAM_SETTINGS_FILE), 'utf8');
    const list = parseUpstreamSettings(text, {
      '%APP_URL%': 'https://chatdemo-func.azurewebsites.net',
      '%SIGNALR_EXTENSION_KEY%': 'key',
    });
    expect(upstreamUrl(list, 'chat', 'connections', 'connected')).toBe(
      'https://chatdemo-func.azurewebsites.net/runtime/webhooks/signalr?code=key',
    );
    expect(upstreamUrl(list, 'chat', 'messages', 'typing')).toBeDefined();
  });
});
