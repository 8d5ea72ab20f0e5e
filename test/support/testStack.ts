import { startStack, type Stack, type StackOptions } from '../../local/stack';

/** The whole offline stack on free ports, quiet: what every integration test runs against. */
export function startTestStack(options: Omit<StackOptions, 'logLevel'> = {}): Promise<Stack> {
  return startStack({
    logLevel: 'silent',
    storageLocation: null,
    ...options,
    ports: { signalr: 0, frontDoor: 0, content: 0, storage: 0, ...options.ports },
  });
}

/** The ports a stack listens on, to start another in its place (a restart). */
export function portsOf(stack: Stack): StackOptions['ports'] {
  const port = (url: string) => Number(new URL(url).port);
  return {
    signalr: port(stack.urls.signalr),
    frontDoor: port(stack.urls.api),
    content: port(stack.urls.page),
  };
}
