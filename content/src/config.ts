/** The page's settings from config.js (written by hand locally, by the deploy step in Azure). */
export interface ChatConfig {
  readonly apiBaseUrl: string;
  readonly authProvider: string;
}

declare global {
  interface Window {
    CHAT_CONFIG?: Partial<ChatConfig>;
  }
}

export function readConfig(): ChatConfig {
  const raw = window.CHAT_CONFIG ?? {};
  const apiBaseUrl =
    (raw.apiBaseUrl ?? '').replace(/\/+$/, '') || `${location.protocol}//${location.hostname}:7071`;
  return { apiBaseUrl, authProvider: raw.authProvider || 'aad' };
}
