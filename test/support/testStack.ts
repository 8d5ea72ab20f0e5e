import { startStack, type Stack, type StackOptions } from '../../local/stack';

/** The whole offline stack on free ports, quiet: what every integration test runs against. */
export function startTestStack(
  options: Omit<StackOptions, 'ports' | 'logLevel'> = {},
): Promise<Stack> {
  return startStack({
    ports: { signalr: 0, frontDoor: 0, content: 0, storage: 0 },
    logLevel: 'silent',
    storageLocation: null,
    ...options,
  });
}
