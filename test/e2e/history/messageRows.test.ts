import type { TableClient } from '@azure/data-tables';
import type { ChatMessage } from '../../../lib/ChatMessage';
import { newMessageId } from '../../../lib/messageIds';
import { DEFAULT_SEND_LIMIT } from '../../../lib/settings';
import { TableHistoryStore } from '../../../lib/storage/TableHistoryStore';
import { TableAccount, type StorageOptions } from '../../../lib/storage/tables';
import { sharedStack, type SharedStack } from '../../support/sharedStack';

/**
 * How a message's rows are written (docs/storage.md, "History" and "Send limit"): a new message's row
 * is inserted (a retried insert that finds it already there is the same row), a replayed one
 * upserted; a send's debit is written after the message's row, never before it.
 */
const WRITES = ['createEntity', 'upsertEntity', 'updateEntity', 'submitTransaction'] as const;

/** The account's tables, each write logged as it starts and as it ends. */
class RecordingAccount extends TableAccount {
  readonly events: string[] = [];

  override run<T>(
    name: string,
    call: (client: TableClient, options: StorageOptions) => Promise<T>,
  ): Promise<T> {
    return super.run(name, (client, options) =>
      call(
        new Proxy(client, {
          get: (target, property, receiver) => {
            const value: unknown = Reflect.get(target, property, receiver);
            if (typeof value !== 'function') return value;
            if (!(WRITES as readonly (string | symbol)[]).includes(property))
              return value.bind(target) as unknown;
            return async (...args: unknown[]) => {
              this.events.push(`start ${name}.${String(property)}`);
              try {
                return (await (value as (...a: unknown[]) => Promise<unknown>).apply(
                  target,
                  args,
                )) as unknown;
              } finally {
                this.events.push(`end ${name}.${String(property)}`);
              }
            };
          },
        }),
        options,
      ),
    );
  }
}

describe('writing a message', () => {
  let stack: SharedStack;
  const message = (sender: string, text: string): ChatMessage => ({
    id: newMessageId(),
    sender,
    text,
    timestamp: new Date().toISOString(),
    isPrivate: false,
    room: 'general',
  });

  beforeAll(() => {
    stack = sharedStack();
  });

  it('writes the send limit’s debit after the message’s row, so the row never queues behind it', async () => {
    const account = new RecordingAccount(stack.storageConnectionString, 'history');
    const store = new TableHistoryStore(account, DEFAULT_SEND_LIMIT);
    // The first send reads the sender's bucket; the second is decided on that view.
    for (const text of ['first', 'second']) {
      account.events.length = 0;
      await store.save(message('nguyễn', text));
      await store.flush();
      const rowWritten = account.events.indexOf('end messages.createEntity');
      const debit = account.events.findIndex((event) => event.startsWith('start sends.'));
      expect(rowWritten).toBeGreaterThanOrEqual(0);
      expect(debit).toBeGreaterThan(rowWritten);
    }
  });

  it('inserts a new message’s row, and a retried insert that finds its row already written succeeds', async () => {
    const account = new RecordingAccount(stack.storageConnectionString, 'history');
    const store = new TableHistoryStore(account, DEFAULT_SEND_LIMIT);
    const sent = message('王芳', 'inserted once');
    await store.save(sent);
    expect(account.events).toContain('start messages.createEntity');
    expect(account.events).not.toContain('start messages.upsertEntity');
    // As when the SDK retries a write whose first answer was lost: the row is there already.
    await expect(store.save(sent)).resolves.toEqual({ message: sent, duplicate: false });
    const page = await store.list('王芳', { limit: 50 });
    expect(page.messages.filter((m) => m.id === sent.id)).toEqual([sent]);
  });

  it('upserts the rows of a replayed client id, so a message whose row was lost is written again', async () => {
    const account = new RecordingAccount(stack.storageConnectionString, 'history');
    const store = new TableHistoryStore(account, DEFAULT_SEND_LIMIT);
    const first = message('Ngọc Ánh', 'sent twice');
    await store.save(first, 'retry-1');
    account.events.length = 0;
    const replay = await store.save(message('Ngọc Ánh', 'sent twice'), 'retry-1');
    expect(replay).toEqual({ message: first, duplicate: true });
    expect(account.events).toContain('start messages.upsertEntity');
    expect(account.events).not.toContain('start messages.createEntity');
  });
});
