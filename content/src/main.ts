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
  template: `
    <header class="bar">
      <h1>Serverless Chat</h1>
      <div class="account" v-if="!state.checkingSignIn">
        <template v-if="state.user">
          <span class="status" :data-status="state.status" role="status">{{ STATUS_TEXT[state.status] }}</span>
          <span class="me">Signed in as <strong data-testid="me">{{ state.user }}</strong></span>
          <button type="button" class="link" @click="signOut">Sign out</button>
        </template>
        <button v-else type="button" class="primary" @click="signIn">Sign in</button>
      </div>
    </header>
    <main v-if="state.checkingSignIn" class="center"><p>Checking sign-in…</p></main>
    <main v-else-if="!state.user" class="center signed-out">
      <h2>Welcome</h2>
      <p>Sign in to read and send messages. Public messages go to everyone in the room; click a name to write to that person privately.</p>
      <p v-if="state.signInError" class="error" role="alert">{{ state.signInError }}</p>
      <button type="button" class="primary" @click="signIn">Sign in</button>
    </main>
    <main v-else class="chat">
      <ol class="messages" ref="list" aria-live="polite" aria-label="Messages">
        <li v-if="state.messages.length === 0" class="empty">No messages yet. Say hello!</li>
        <li v-for="m in state.messages" :key="m.id" class="message" :class="{ mine: m.sender === state.user, private: m.isPrivate }">
          <div class="meta">
            <button type="button" class="sender" @click="addressPrivately(m.sender)" :title="m.sender === state.user ? 'You' : 'Write to ' + m.sender + ' privately'">{{ m.sender }}</button>
            <span v-if="m.isPrivate" class="badge">Private · {{ privateLabel(m, state.user) }}</span>
            <time :datetime="m.timestamp">{{ formatTime(m.timestamp) }}</time>
          </div>
          <p class="text">{{ m.text }}</p>
        </li>
      </ol>
      <form class="composer" @submit.prevent="sendDraft">
        <div v-if="state.recipient" class="private-to">
          Private to <strong>{{ state.recipient }}</strong>
          <button type="button" class="link" @click="cancelPrivate" aria-label="Cancel private message">Cancel</button>
        </div>
        <label for="draft" class="visually-hidden">Message</label>
        <div class="row">
          <textarea id="draft" ref="composer" v-model="state.draft" rows="2" :placeholder="state.recipient ? 'Write to ' + state.recipient + ' privately…' : 'Write a message to everyone…'" @keydown="sendOnEnter"></textarea>
          <button type="submit" class="primary" :disabled="state.sending || state.draft.trim().length === 0">{{ state.sending ? 'Sending…' : 'Send' }}</button>
        </div>
        <p v-if="state.sendError" class="error" role="alert">{{ state.sendError }}</p>
        <p class="hint">Enter sends · Shift+Enter for a new line</p>
      </form>
    </main>
  `,
};

createApp(App).mount('#app');
