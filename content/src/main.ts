import { createApp, nextTick, onMounted, onUnmounted, reactive, ref } from 'vue';
import {
  SendError,
  fetchSignedInUser,
  postMessage,
  signInUrl,
  signOutUrl,
  type ChatMessage,
} from './api';
import { readConfig } from './config';
import { ConnectionStatus, createChatConnection, type ChatConnection } from './connection';
import { formatTime, privateLabel } from './format';
// Compiled to a render function at build time (content/build.js): no template compiler and no
// eval in the browser, so the page runs under script-src 'self' (docs/security.md).
import { render } from './App.template.html';

/** The chat page: one reactive state object, verb-named actions, listeners tied to mount. */
const config = readConfig();
const MAX_MESSAGES = 500;
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
    });
    const list = ref<HTMLElement | null>(null);
    const composer = ref<HTMLTextAreaElement | null>(null);
    let connection: ChatConnection | undefined;

    function isNearBottom(): boolean {
      const el = list.value;
      return el === null || el.scrollHeight - el.scrollTop - el.clientHeight < 80;
    }

    function addMessage(message: ChatMessage): void {
      if (state.messages.some((known) => known.id === message.id)) return;
      const follow = isNearBottom();
      state.messages.push(message);
      if (state.messages.length > MAX_MESSAGES)
        state.messages.splice(0, state.messages.length - MAX_MESSAGES);
      if (follow) void nextTick(() => list.value?.scrollTo({ top: list.value.scrollHeight }));
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
        addMessage(await postMessage(config, text, state.recipient));
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
        (status) => (state.status = status),
      );
      connection.start();
    });

    onUnmounted(() => void connection?.stop());

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
    };
  },
  render,
};

createApp(App).mount('#app');
