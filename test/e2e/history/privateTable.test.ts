import { odata, TableClient } from '@azure/data-tables';
import type { ChatMessage } from '../../../lib/ChatMessage';
import { migratePrivateMessages } from '../../../infra/migrations/privateMessages';
import { invertId, newMessageId } from '../../../lib/messageIds';
import { userPartition } from '../../../lib/storage/partitionKey';
import type { Stack } from '../../../local/stack';
import { postMessage, signIn } from '../../support/chatClients';
import { startTestStack } from '../../support/testStack';

/**
 * Private messages in table `private` (docs/storage.md, "History"), and the ones stored before
 * that table existed, in `messages`: copied over by `npm run migrate:private-messages`, shown
 * once, to their two people only.
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

  it('shows private messages stored before once they are moved, once each and in order, to their two people only', async () => {
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
    // Reads never look in `messages` for private rows: before the move, only the new one.
    expect(await read('frank')).toEqual(['erin>frank: after the move']);
    const moved = await migratePrivateMessages(stack.storageConnectionString);
    expect(moved.rows).toBeGreaterThanOrEqual(4);
    const expected = ['erin>frank: from before the move', 'erin>frank: after the move'];
    expect(await read('frank')).toEqual(expected);
    expect(await read('erin')).toEqual(expected);
    expect(await read('gina')).toEqual(['gina>hank: someone else’s, from before']);
    expect(await read('ivan')).toEqual([]);
  });

  it('writes the same rows when the move runs again, for names outside Latin-1', async () => {
    await storeTheOldWay('Ольга', "O'Brien 100%", 'old, moved twice 🦊');
    await migratePrivateMessages(stack.storageConnectionString);
    const once = await rows('private', userPartition("O'Brien 100%"));
    await migratePrivateMessages(stack.storageConnectionString);
    const twice = await rows('private', userPartition("O'Brien 100%"));
    expect(twice.map((row) => row.text)).toEqual(['old, moved twice 🦊']);
    expect(twice.map((row) => row.rowKey)).toEqual(once.map((row) => row.rowKey));
    expect(await read("O'Brien 100%")).toEqual(["Ольга>O'Brien 100%: old, moved twice 🦊"]);
  });
});
