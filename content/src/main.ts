import { createApp, nextTick, onMounted, onUnmounted, reactive, ref } from 'vue';
import { HISTORY_PAGE_SIZE } from '../../lib/ChatMessage';
import {
  RetryLaterError,
  SendError,
  fetchHistory,
  fetchOnlineUsers,
  fetchSignedInUser,
  postMessage,
  signInUrl,
  signOutUrl,
  type ChatMessage,
} from './api';
import { readConfig } from './config';
import { ConnectionStatus, createChatConnection, type ChatConnection } from './connection';
import { formatTime, privateLabel } from './format';
import { mergeMessages } from './messages';
// Compiled to a render function at build time (content/build.js): no template compiler and no
// eval in the browser, so the page runs under script-src 'self' (docs/security.md).
import { render } from './App.template.html';

/** The chat page: one reactive state object, verb-named actions, listeners tied to mount. */
const config = readConfig();
const STATUS_TEXT: Record<ConnectionStatus, string> = {
  [ConnectionStatus.Connecting]: 'Connecting…',
  [ConnectionStatus.Connected]: 'Connected',
  [ConnectionStatus.Reconnecting]: 'Reconnecting…',
  [ConnectionStatus.Offline]: 'Offline, retrying',
};

const App = {
  setup() {
    const state = reactive({
      user: null as string | null,
      checkingSignIn: true,
      signInError: '',
      status: ConnectionStatus.Offline,
      messages: [] as ChatMessage[],
      draft: '',
      recipient: null as string | null,
      sending: false,
      sendError: '',
      /** False once history has no older page. */
      hasEarlier: true,
      loadingEarlier: false,
      historyError: '',
      /** Who is online, by name. */
      online: [] as string[],
    });
    /** The id of the draft being sent; kept across retries of the same text. */
    let draftClientId: { text: string; id: string } | undefined;
    const list = ref<HTMLElement | null>(null);
    const composer = ref<HTMLTextAreaElement | null>(null);
    let connection: ChatConnection | undefined;

    function isNearBottom(): boolean {
      const el = list.value;
      return el === null || el.scrollHeight - el.scrollTop - el.clientHeight < 80;
    }

    function showMessages(incoming: readonly ChatMessage[]): void {
      const follow = isNearBottom();
      state.messages = mergeMessages(state.messages, incoming);
      if (follow) void nextTick(() => list.value?.scrollTo({ top: list.value.scrollHeight }));
    }

    function addMessage(message: ChatMessage): void {
      showMessages([message]);
    }

    /**
     * On every (re)connect: the latest history the first time, afterwards everything since the
     * newest message shown, so a drop loses nothing (ids shown already are merged away).
     */
    async function catchUp(): Promise<void> {
      const newest = state.messages[state.messages.length - 1];
      try {
        const found = await fetchHistory(config, newest === undefined ? {} : { after: newest.id });
        if (newest === undefined) state.hasEarlier = found.length === HISTORY_PAGE_SIZE;
        showMessages(found);
        state.historyError = '';
      } catch (error) {
        state.historyError = (error as Error).message;
      }
    }

    let onlineRetry: ReturnType<typeof setTimeout> | undefined;

    /**
     * On every (re)connect: who is online now; userOnline/userOffline keep it current. The
     * server records this page's connection if it missed it; while storage is down (503) or
     * the page asks too often (429), it asks again when the server says.
     */
    async function refreshOnline(): Promise<void> {
      clearTimeout(onlineRetry);
      try {
        state.online = await fetchOnlineUsers(config, connection?.connectionId ?? null);
      } catch (error) {
        // The list stays as it was meanwhile.
        if (error instanceof RetryLaterError && state.status === ConnectionStatus.Connected)
          onlineRetry = setTimeout(() => void refreshOnline(), error.retryAfterSeconds * 1000);
      }
    }

    function updateOnline(online: boolean, name: string): void {
      const others = state.online.filter((known) => known !== name);
      state.online = online ? [...others, name].sort() : others;
    }

    async function loadEarlier(): Promise<void> {
      const oldest = state.messages[0];
      if (oldest === undefined || state.loadingEarlier) return;
      state.loadingEarlier = true;
      try {
        const found = await fetchHistory(config, { before: oldest.id });
        state.hasEarlier = found.length === HISTORY_PAGE_SIZE;
        state.messages = mergeMessages(found, state.messages);
      } catch (error) {
        state.historyError = (error as Error).message;
      } finally {
        state.loadingEarlier = false;
      }
    }

    function addressPrivately(name: string): void {
      if (name === state.user) return;
      state.recipient = name;
      composer.value?.focus();
    }

    function cancelPrivate(): void {
      state.recipient = null;
      composer.value?.focus();
    }

    async function sendDraft(): Promise<void> {
      const text = state.draft.trim();
      if (text.length === 0 || state.sending) return;
      state.sending = true;
      state.sendError = '';
      try {
        if (draftClientId?.text !== text) draftClientId = { text, id: crypto.randomUUID() };
        addMessage(await postMessage(config, text, state.recipient, draftClientId.id));
        draftClientId = undefined;
        // Only a message the server accepted clears the draft: nothing typed is lost.
        if (state.draft.trim() === text) state.draft = '';
      } catch (error) {
        state.sendError =
          error instanceof SendError
            ? error.message
            : 'Something went wrong. Your message is kept; try again.';
      } finally {
        state.sending = false;
        composer.value?.focus();
      }
    }

    function sendOnEnter(event: KeyboardEvent): void {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        void sendDraft();
      }
    }

    function signIn(): void {
      location.assign(signInUrl(config));
    }

    async function signOut(): Promise<void> {
      await connection?.stop();
      location.assign(signOutUrl(config));
    }

    onMounted(async () => {
      try {
        state.user = await fetchSignedInUser(config);
      } catch (error) {
        state.signInError = `${(error as Error).message} Is the API running at ${config.apiBaseUrl}?`;
      } finally {
        state.checkingSignIn = false;
      }
      if (state.user === null) return;
      connection = createChatConnection(
        config.apiBaseUrl,
        addMessage,
        (status) => {
          state.status = status;
          if (status === ConnectionStatus.Connected) {
            void catchUp();
            void refreshOnline();
          }
        },
        (event) => updateOnline(event.online, event.name),
      );
      connection.start();
    });

    onUnmounted(() => {
      clearTimeout(onlineRetry);
      void connection?.stop();
    });

    return {
      state,
      list,
      composer,
      STATUS_TEXT,
      formatTime,
      privateLabel,
      addressPrivately,
      cancelPrivate,
      sendDraft,
      sendOnEnter,
      signIn,
      signOut,
      loadEarlier,
    };
  },
  render,
};

createApp(App).mount('#app');
