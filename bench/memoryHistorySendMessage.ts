import { instanceServices } from '../lib/services';
import { readSettings } from '../lib/settings';
import { MemoryHistoryStore } from '../local/storage/MemoryHistoryStore';
import { createSendMessage } from '../SendMessage/createSendMessage';

/**
 * SendMessage as deployed, but keeping history in memory: the benchmark's baseline for what
 * writing each message to Table Storage adds (bench/baselineApp.ts loads it in place of
 * dist/SendMessage/index.js). Only the benchmark has it; the app has no switch for it.
 */
export default createSendMessage({
  history: new MemoryHistoryStore(readSettings().sendLimit),
  rooms: instanceServices().rooms,
  names: instanceServices().names,
});
