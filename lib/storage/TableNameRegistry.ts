import { lookClaims, type NameKind, type NameRegistry } from './NameRegistry';
import { statusOf, type TableAccount } from './tables';

/**
 * Looks claimed in Table Storage, table `names`: one row per look (partition `user:` or `room:`
 * and the SHA-256 of the look, row `holder`) with the spelling that holds it. A claim inserts the
 * row; when another instance inserted it first (409), the row it wrote decides. A spelling that
 * holds its looks holds them for good, so this instance remembers it and asks storage only once.
 */
const NAMES = 'names';
const HOLDER = 'holder';
/** Spellings this instance knows to hold their looks; the oldest forgotten first. */
const MAX_KNOWN = 10_000;

interface HolderRow {
  readonly partitionKey: string;
  readonly rowKey: string;
  readonly name: string;
}

export class TableNameRegistry implements NameRegistry {
  private readonly known = new Set<string>();

  constructor(private readonly account: TableAccount) {}

  async claim(kind: NameKind, name: string): Promise<string | undefined> {
    const known = `${kind}\n${name}`;
    if (this.known.has(known)) return undefined;
    const holders = await Promise.all(lookClaims(kind, name).map((key) => this.holder(key, name)));
    const other = holders.find((holder) => holder !== name);
    if (other !== undefined) return other;
    if (this.known.size >= MAX_KNOWN) this.known.delete(this.known.values().next().value!);
    this.known.add(known);
    return undefined;
  }

  /** Who holds `key`: `name`, when nobody did and it now does. */
  private async holder(key: string, name: string): Promise<string> {
    const found = await this.account.find<HolderRow>(NAMES, key, HOLDER);
    if (found !== undefined) return found.name;
    const row: HolderRow = { partitionKey: key, rowKey: HOLDER, name };
    const created = await this.account.run(NAMES, async (table, options) => {
      try {
        await table.createEntity(row, options);
        return true;
      } catch (error) {
        if (statusOf(error) === 409) return false;
        throw error;
      }
    });
    if (created) return name;
    return (await this.account.find<HolderRow>(NAMES, key, HOLDER))?.name ?? name;
  }
}
