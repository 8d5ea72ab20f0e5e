import { odata, TableClient } from '@azure/data-tables';
import type { ChatMessage } from '../../../lib/ChatMessage';
import { DEFAULT_SEND_LIMIT } from '../../../lib/settings';
import { TableHistoryStore } from '../../../lib/storage/TableHistoryStore';
import { TableAccount } from '../../../lib/storage/tables';
import { invertId, newMessageId } from '../../../lib/messageIds';
import { userPartition } from '../../../lib/storage/partitionKey';
import type { Stack } from '../../../local/stack';
import { postMessage, signIn } from '../../support/chatClients';
import { startTestStack } from '../../support/testStack';

/**
 * Private messages in table `private` (docs/storage.md, "History"), and the ones stored before
 * that table existed, in `messages`: copied over on their people's first read, shown once, to
 * them only.
 */
describe('private messages in a table of their own', () => {
  let stack: Stack;
  const table = (name: string) =>
    TableClient.fromConnectionString(stack.storageConnectionString, name, {
      allowInsecureConnection: true,
    });
  const rows = async (name: string, partition: string) => {
    const found: Record<string, unknown>[] = [];
    await table(name).createTable();
    for await (const row of table(name).listEntities({
      queryOptions: { filter: odata`PartitionKey eq ${partition}` },
    }))
      found.push(row);
    return found;
  };
  const read = async (name: string) => {
    const response = await fetch(`${stack.urls.api}/api/messages`, {
      headers: { Cookie: await signIn(stack.urls.api, name) },
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { messages: ChatMessage[] }).messages.map(
      (m) => `${m.sender}>${m.recipient ?? '*'}: ${m.text}`,
    );
  };

  /** A private message as the app stored it before table `private`: in `messages`, twice. */
  async function storeTheOldWay(sender: string, recipient: string, text: string): Promise<void> {
    const id = newMessageId(Date.now() - 60_000);
    const messages = table('messages');
    await messages.createTable();
    for (const partition of [userPartition(sender), userPartition(recipient)])
      await messages.upsertEntity({
        partitionKey: partition,
        rowKey: invertId(id),
        id,
        sender,
        text,
        sentAt: new Date(Date.now() - 60_000).toISOString(),
        isPrivate: true,
        recipient,
      });
  }

  beforeAll(async () => {
    stack = await startTestStack();
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('stores a new private message in table private only, in the partitions of its two people', async () => {
    const sent = await postMessage(
      stack.urls.api,
      await signIn(stack.urls.api, 'Ngọc Ánh'),
      JSON.stringify({ text: '50% off, O’Brien 🦊', recipient: '王芳' }),
    );
    expect(sent.status).toBe(202);
    for (const name of ['Ngọc Ánh', '王芳'])
      expect((await rows('private', userPartition(name))).map((row) => row.text)).toEqual([
        '50% off, O’Brien 🦊',
      ]);
    expect(await rows('messages', userPartition('王芳'))).toEqual([]);
    expect(await read('王芳')).toEqual(['Ngọc Ánh>王芳: 50% off, O’Brien 🦊']);
  });

  it('shows private messages stored before, once each and in order, to their two people only', async () => {
    await storeTheOldWay('erin', 'frank', 'from before the move');
    await storeTheOldWay('gina', 'hank', 'someone else’s, from before');
    const erin = await signIn(stack.urls.api, 'erin');
    expect(
      (
        await postMessage(
          stack.urls.api,
          erin,
          JSON.stringify({ text: 'after the move', recipient: 'frank' }),
        )
      ).status,
    ).toBe(202);
    const expected = ['erin>frank: from before the move', 'erin>frank: after the move'];
    expect(await read('frank')).toEqual(expected);
    // Read again, and by the other person: once each, never someone else's.
    expect(await read('frank')).toEqual(expected);
    expect(await read('erin')).toEqual(expected);
    expect(await read('gina')).toEqual(['gina>hank: someone else’s, from before']);
    expect(await read('ivan')).toEqual([]);
    // Copied, and marked as copied for each reader (not for one who never read), so the next
    // instance does not copy again.
    expect((await rows('private', userPartition('frank'))).map((row) => row.text).sort()).toEqual([
      'after the move',
      'from before the move',
    ]);
    const moved = (await rows('private', ':moved')).map((row) => row.rowKey).sort();
    expect(moved).toEqual(['erin', 'frank', 'gina', 'ivan', '王芳'].map(userPartition).sort());
  });

  it('copies a user’s old rows once when their first reads arrive together', async () => {
    await storeTheOldWay('Ольга', "O'Brien 100%", 'old, read by many tabs at once');
    const account = new TableAccount(stack.storageConnectionString, 'history');
    const looks = jest.spyOn(account, 'find');
    const store = new TableHistoryStore(account, DEFAULT_SEND_LIMIT);
    const pages = await Promise.all(
      Array.from({ length: 5 }, () => store.list("O'Brien 100%", { limit: 50 })),
    );
    for (const page of pages)
      expect(page.messages.map((m) => m.text)).toEqual(['old, read by many tabs at once']);
    // One look for the mark, made by the first read; the others waited for its copy.
    expect(looks).toHaveBeenCalledTimes(1);
  });

  it('tries the copy again on the next read when storage failed it', async () => {
    await storeTheOldWay('Ольга', 'Zoë 50%', 'old, after a failed copy');
    const account = new TableAccount(stack.storageConnectionString, 'history');
    jest.spyOn(account, 'find').mockRejectedValueOnce(new Error('storage did not answer'));
    const store = new TableHistoryStore(account, DEFAULT_SEND_LIMIT);
    await expect(store.list('Zoë 50%', { limit: 50 })).rejects.toThrow('storage did not answer');
    expect((await store.list('Zoë 50%', { limit: 50 })).messages.map((m) => m.text)).toEqual([
      'old, after a failed copy',
    ]);
  });
});
