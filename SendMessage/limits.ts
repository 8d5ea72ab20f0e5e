/** Largest request body accepted, in bytes. */
export const MAX_BODY_BYTES = 64 * 1024;
/** Deepest nesting of arrays and objects accepted; the body itself is flat (depth 1). */
export const MAX_JSON_DEPTH = 32;
/** Message text length after trimming, in characters (Unicode code points). */
export const MAX_TEXT_CHARS = 2000;
/** Longest recipient user id, in characters; App Service principal names fit well inside. */
export const MAX_RECIPIENT_CHARS = 256;
