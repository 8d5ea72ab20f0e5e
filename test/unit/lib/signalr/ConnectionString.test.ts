import { DEVELOPMENT_CONNECTION_STRING } from '../../../../local/signalr/constants';
import {
  audienceBase,
  clientBaseUrl,
  listenPort,
  parseConnectionString,
  serverBaseUrl,
} from '../../../../lib/signalr/ConnectionString';

const EMULATOR = DEVELOPMENT_CONNECTION_STRING;

describe('parseConnectionString', () => {
  it('parses the official emulator string', () => {
    const cs = parseConnectionString(EMULATOR);
    expect(cs).toEqual({
      endpoint: 'http://localhost',
      accessKey: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH',
      version: '1.0',
      port: 8888,
    });
    expect(clientBaseUrl(cs)).toBe('http://localhost:8888');
    expect(serverBaseUrl(cs)).toBe('http://localhost:8888');
    expect(audienceBase(cs)).toBe('http://localhost');
    expect(listenPort(cs)).toBe(8888);
  });

  it('matches keys case-insensitively, trims them, splits values at the first = and drops a trailing slash', () => {
    const cs = parseConnectionString(
      ' endpoint = https://x.service.signalr.net/ ; ACCESSKEY=a=b==;version=1.1',
    );
    expect(cs).toEqual({
      endpoint: 'https://x.service.signalr.net',
      accessKey: 'a=b==',
      version: '1.1',
    });
    expect(listenPort(cs)).toBe(443);
  });

  it('keeps audiences on Endpoint without the port while ClientEndpoint and ServerEndpoint move the URLs', () => {
    const cs = parseConnectionString(
      'Endpoint=https://x.service.signalr.net:4443;AccessKey=k;ClientEndpoint=https://chat.example.com;ServerEndpoint=http://10.0.0.1:81;Version=1.0',
    );
    expect(audienceBase(cs)).toBe('https://x.service.signalr.net');
    expect(clientBaseUrl(cs)).toBe('https://chat.example.com');
    expect(serverBaseUrl(cs)).toBe('http://10.0.0.1:81');
  });

  it.each([
    [
      'no Endpoint',
      'AccessKey=k',
      'ERR_SIGNALR_NO_ENDPOINT',
      'The connection string has no Endpoint; add Endpoint=https://<name>.service.signalr.net.',
    ],
    [
      'no AccessKey',
      'Endpoint=http://localhost',
      'ERR_SIGNALR_NO_ACCESS_KEY',
      "The connection string has no AccessKey; copy the whole string from the SignalR resource's Keys page.",
    ],
    [
      'a relative Endpoint',
      'Endpoint=localhost;AccessKey=k',
      'ERR_SIGNALR_BAD_ENDPOINT',
      'Endpoint "localhost" is not an absolute URI; use http://host or https://host.',
    ],
    [
      'a ws Endpoint',
      'Endpoint=ws://localhost;AccessKey=k',
      'ERR_SIGNALR_BAD_ENDPOINT',
      'Endpoint "ws://localhost" must use http or https, not ws.',
    ],
    [
      'a duplicate key',
      'Endpoint=http://a;endpoint=http://b;AccessKey=k',
      'ERR_SIGNALR_DUPLICATE_KEY',
      'Connection string key "endpoint" appears more than once.',
    ],
    [
      'Version 2.0',
      'Endpoint=http://a;AccessKey=k;Version=2.0',
      'ERR_SIGNALR_BAD_VERSION',
      'Version "2.0" is not supported; use 1.0.',
    ],
    [
      'Port 0',
      'Endpoint=http://a;AccessKey=k;Port=0',
      'ERR_SIGNALR_BAD_PORT',
      'Port "0" must be a whole number from 1 to 65535.',
    ],
    [
      'Port 65536',
      'Endpoint=http://a;AccessKey=k;Port=65536',
      'ERR_SIGNALR_BAD_PORT',
      'Port "65536" must be a whole number from 1 to 65535.',
    ],
    [
      'a pair without =',
      'Endpoint=http://a;AccessKey',
      'ERR_SIGNALR_BAD_PAIR',
      'Connection string part "AccessKey" is not key=value.',
    ],
    [
      'AuthType=aad',
      'Endpoint=https://x.service.signalr.net;AuthType=aad;Version=1.0',
      'ERR_SIGNALR_AUTHTYPE_UNSUPPORTED',
      'AuthType=aad (Microsoft Entra ID) is not supported here; use a connection string with an AccessKey.',
    ],
  ])('refuses %s with a clear error', (_label, text, code, message) => {
    expect(() => parseConnectionString(text)).toThrow(
      expect.objectContaining({ name: 'ConnectionStringError', code, message }),
    );
  });
});
