import { customClaims } from '../../../../local/host/bindings/signalR/customClaims';
import { userClaims } from '../../../../local/emulator/clientEndpoint';

/** An unsigned JWT with this payload: the extension reads an ID token without validating it. */
const jwt = (payload: object) =>
  `e30.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.sig`;

describe('claims from an ID token (the signalRConnectionInfo binding)', () => {
  const token = jwt({
    name: '王芳',
    roles: ['reader', 'writer'],
    iss: 'https://login.example/tenant',
    aud: 'the-app',
    sub: 'abc',
    email: 'wf@example.com',
    address: { city: 'Hà Nội' },
  });

  it('copies only the listed claims, an array as one claim per element', () => {
    expect(customClaims(token, ['name', 'roles', 'address'])).toEqual({
      name: '王芳',
      roles: ['reader', 'writer'],
      address: '{"city":"Hà Nội"}',
    });
  });

  it('renames a claim the service keeps for itself with asrs.u., and keeps only the first sub as sub', () => {
    expect(customClaims(token, ['iss', 'aud', 'sub'])).toEqual({
      'asrs.u.iss': 'https://login.example/tenant',
      'asrs.u.aud': 'the-app',
      sub: 'abc',
    });
    expect(customClaims(jwt({ sub: ['one', 'two'] }), ['sub'])).toEqual({
      sub: 'one',
      'asrs.u.sub': 'two',
    });
  });

  it('adds nothing without an idToken or without a list', () => {
    expect(customClaims(undefined, ['name'])).toEqual({});
    expect(customClaims(token, [])).toEqual({});
    expect(customClaims(token, undefined)).toEqual({});
  });

  it.each(['not a token', 'a.b', `e30.${Buffer.from('[1]').toString('base64url')}.s`])(
    'fails the invocation for an idToken that is not a JWT: %s',
    (bad) => {
      expect(() => customClaims(bad, ['name'])).toThrow('is not a JWT');
    },
  );
});

describe('X-ASRS-User-Claims (the emulator)', () => {
  it('lists user claims as type: value, asrs.u. taken off, arrays split, registered ones left out', () => {
    expect(
      userClaims({
        name: '王芳',
        roles: ['reader', 'writer'],
        'asrs.u.iss': 'https://login.example/tenant',
        aud: 'http://localhost/client/?hub=chat',
        exp: 1,
        'asrs.s.uid': 'wf',
      }),
    ).toEqual([
      'name: 王芳',
      'roles: reader',
      'roles: writer',
      'iss: https://login.example/tenant',
      'asrs.s.uid: wf',
    ]);
  });
});
