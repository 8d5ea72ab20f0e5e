import { SessionSeal, newSessionKey } from '../../../../local/frontdoor/SessionSeal';

/** Sessions sealed in the cookie (docs/app-service-auth.md, "Sessions"). */
describe('SessionSeal', () => {
  const key = newSessionKey();

  it('opens what it sealed until the lifetime has passed', () => {
    const seal = new SessionSeal(key, 1000);
    const sealed = seal.seal('王芳', 'aad', 0);
    expect(seal.open(sealed, 999)).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      name: '王芳',
      provider: 'aad',
      expiresAt: 1000,
    });
    expect(seal.open(sealed, 1000)).toBeUndefined();
  });

  it('opens nothing sealed with another key, changed by a byte, cut short, or made up', () => {
    const seal = new SessionSeal(key);
    const sealed = seal.seal('alice', 'aad');
    const bytes = Buffer.from(sealed, 'base64url');
    bytes[20] ^= 1;
    expect(new SessionSeal(newSessionKey()).open(sealed)).toBeUndefined();
    expect(seal.open(bytes.toString('base64url'))).toBeUndefined();
    expect(seal.open(sealed.slice(0, 30))).toBeUndefined();
    expect(
      seal.open(Buffer.from('{"name":"mallory","expiresAt":9e15}').toString('base64url')),
    ).toBeUndefined();
    expect(seal.open('x'.repeat(5000))).toBeUndefined();
  });

  it('keeps what it opened, yet ends it at sign-out and at expiry, and opens no changed copy', () => {
    const seal = new SessionSeal(key, 1000);
    const sealed = seal.seal('Ngọc Ánh', 'aad', 0);
    expect(seal.open(sealed, 10)?.name).toBe('Ngọc Ánh');
    const changed = Buffer.from(sealed, 'base64url');
    changed[20] ^= 1;
    expect(seal.open(changed.toString('base64url'), 10)).toBeUndefined();
    expect(seal.open(sealed, 1000)).toBeUndefined();
    const other = seal.seal('50% off', 'aad', 0);
    expect(seal.open(other, 10)?.name).toBe('50% off');
    seal.signOut(other, 20);
    expect(seal.open(other, 30)).toBeUndefined();
  });

  it('refuses a key that is not 32 bytes of hex', () => {
    expect(() => new SessionSeal('short')).toThrow('The session key must be 32 bytes');
  });

  it.each([
    ['a dot appended', (s: string) => `${s}.`],
    ['"=" appended', (s: string) => `${s}=`],
    ['"==" appended', (s: string) => `${s}==`],
    ['the +/ alphabet', (s: string) => s.replace(/-/g, '+').replace(/_/g, '/')],
    ['a leading space', (s: string) => ` ${s}`],
    ['a "!" inside', (s: string) => `${s.slice(0, 10)}!${s.slice(10)}`],
    ['unused bits set in the last character', (s: string) => lastBitsSet(s)],
  ])('opens no other spelling of a sealed value (%s)', (_label, respell) => {
    const seal = new SessionSeal(key);
    // A value the respelling changes: the +/ case needs a - or _ in it, the unused-bits case a
    // length that leaves some (names of four lengths give four lengths of sealed value).
    let sealed = seal.seal('al', 'aad');
    for (let i = 1; i < 40 && respell(sealed) === sealed; i++)
      sealed = seal.seal('alice'.slice(0, 2 + (i % 4)), 'aad');
    expect(respell(sealed)).not.toBe(sealed);
    expect(seal.open(sealed)).toBeDefined();
    expect(seal.open(respell(sealed))).toBeUndefined();
  });

  it('keeps a sign-out, in every spelling, through 10,050 other sign-outs, until the session would have expired', () => {
    const seal = new SessionSeal(key, 1000);
    const victim = seal.seal('alice', 'aad', 0);
    seal.signOut(victim, 1);
    for (let i = 0; i < 10_050; i++) seal.signOut(seal.seal(`m${i}`, 'aad', 2), 3);
    expect(seal.open(victim, 4)).toBeUndefined();
    expect(seal.open(`${victim}.`, 4)).toBeUndefined();
    // Revocations of sessions that expired anyway are dropped at the next sign-out.
    seal.signOut(seal.seal('late', 'aad', 2000), 2000);
    expect((seal as unknown as { signedOut: Map<string, number> }).signedOut.size).toBe(1);
  });

  it('keeps a sign-out across a restart with the same key and revocation log', () => {
    const kept: Array<[string, number]> = [];
    const log = { load: () => kept, add: (id: string, at: number) => void kept.push([id, at]) };
    const before = new SessionSeal(key, 60_000, log);
    const sealed = before.seal('alice', 'aad');
    before.signOut(sealed);
    const after = new SessionSeal(key, 60_000, log);
    expect(after.open(sealed)).toBeUndefined();
    expect(new SessionSeal(key, 60_000).open(sealed)).toBeDefined();
  });
});

/** The same bytes with the last character's unused low bits set (Node would still decode it). */
function lastBitsSet(sealed: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const unusedBits = { 2: 4, 3: 2 }[(sealed.length % 4) as 2 | 3] ?? 0;
  if (unusedBits === 0) return sealed;
  const last = alphabet.indexOf(sealed.at(-1)!);
  return sealed.slice(0, -1) + alphabet[last | ((1 << unusedBits) - 1)];
}
