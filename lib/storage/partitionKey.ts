/**
 * The partition key of a user's rows (history, sends, presence): `u:` and the base64url of the
 * name's UTF-8 bytes. A name is at most 64 code points (lib/userName.ts), at most 256 bytes, so
 * a key is at most 2 + 344 ASCII characters: inside Azurite's 512-character limit and Azure's
 * "up to 1 KiB" whether that is read as bytes or as characters, for every name the sign-in
 * accepts (docs/storage.md, "Keys"). base64url uses only letters, digits, `-` and `_`: none of
 * the characters a key may not contain (`/`, `\`, `#`, `?`, controls).
 */
export function userPartition(name: string): string {
  return `u:${Buffer.from(name, 'utf8').toString('base64url')}`;
}

/** The partition key of a room's rows (its members and their count): `r:` and the same encoding. */
export function roomPartition(room: string): string {
  return `r:${Buffer.from(room, 'utf8').toString('base64url')}`;
}
