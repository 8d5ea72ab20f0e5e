import { SessionSeal, newSessionKey } from '../../../../local/frontdoor/SessionSeal';

/** Sessions sealed in the cookie (docs/app-service-auth.md, "Sessions"). */
describe('SessionSeal', () => {
  const key = newSessionKey();

  it('opens what it sealed until the lifetime has passed', () => {
    const seal = new SessionSeal(key, 1000);
    const sealed = seal.seal('王芳', 'aad', 0);
    expect(seal.open(sealed, 999)).toEqual({ name: '王芳', provider: 'aad', expiresAt: 1000 });
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
});
