/**
 * The local emulator's well-known development connection string: not a secret (the official
 * Azure SignalR emulator publishes the same key).
 */
export const DEVELOPMENT_CONNECTION_STRING =
  'Endpoint=http://localhost;Port=8888;AccessKey=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH;Version=1.0;';
