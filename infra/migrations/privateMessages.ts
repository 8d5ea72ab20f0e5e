import { TableClient, odata, type TransactionAction } from '@azure/data-tables';
import {
  MESSAGES,
  PRIVATE,
  toEntity,
  toMessage,
  type MessageEntity,
} from '../../lib/storage/messageRows';

/**
 * A one-off move for a deployment older than table `private` (docs/storage.md, "History"): its
 * private messages are in table `messages`, in the partitions of their two people, and the app
 * reads private messages from `private` only. This copies every private row of `messages` into
 * `private` with the same keys (upserts, 100 to a transaction of one partition: run twice, or
 * cut short and run again, it writes the same rows) and leaves the old rows where they are,
 * never read again. Run it once, before the new version takes traffic:
 *
 *   AzureWebJobsStorage='<the Function App's storage connection string>' \
 *     npm run migrate:private-messages
 */
const BATCH = 100;

export interface MigrationResult {
  readonly rows: number;
  readonly partitions: number;
}

function client(connectionString: string, table: string): TableClient {
  return TableClient.fromConnectionString(connectionString, table, {
    allowInsecureConnection: /UseDevelopmentStorage=true|http:\/\//i.test(connectionString),
  });
}

export async function migratePrivateMessages(connectionString: string): Promise<MigrationResult> {
  const from = client(connectionString, MESSAGES);
  const to = client(connectionString, PRIVATE);
  await to.createTable();
  const byPartition = new Map<string, MessageEntity[]>();
  try {
    for await (const row of from.listEntities<MessageEntity>({
      queryOptions: { filter: odata`isPrivate eq ${true}` },
    })) {
      const rows = byPartition.get(row.partitionKey) ?? [];
      rows.push(row);
      byPartition.set(row.partitionKey, rows);
    }
  } catch (error) {
    // No table `messages`: nothing was ever stored the old way.
    if ((error as { statusCode?: number }).statusCode === 404) return { rows: 0, partitions: 0 };
    throw error;
  }
  let rows = 0;
  for (const [partition, entities] of byPartition)
    for (let start = 0; start < entities.length; start += BATCH) {
      const batch = entities.slice(start, start + BATCH);
      await to.submitTransaction(
        batch.map((row): TransactionAction => [
          'upsert',
          { ...toEntity(partition, toMessage(row)) },
          'Replace',
        ]),
      );
      rows += batch.length;
    }
  return { rows, partitions: byPartition.size };
}

if (require.main === module) {
  const connectionString = process.env.AzureWebJobsStorage ?? '';
  if (connectionString.length === 0) {
    console.error('Set AzureWebJobsStorage to the storage connection string of the Function App.');
    process.exit(2);
  }
  migratePrivateMessages(connectionString).then(
    ({ rows, partitions }) =>
      console.log(`Copied ${rows} private rows of ${partitions} people into table private.`),
    (error: Error) => {
      console.error(`The copy failed (run it again: it writes the same rows): ${error.message}`);
      process.exit(1);
    },
  );
}
