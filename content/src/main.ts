import { computed, createApp, nextTick, onMounted, onUnmounted, reactive, ref, watch } from 'vue';
import { HISTORY_PAGE_SIZE, MAX_TEXT_CHARS } from '../../lib/ChatMessage';
import { GENERAL_ROOM } from '../../lib/hub';
import {
  ApiError,
  RefusedError,
  RetryLaterError,
  SignedOutError,
  changeRoom,
  fetchHistory,
  fetchOnlineUsers,
  fetchRooms,
  fetchSignedInUser,
  postMessage,
  signInUrl,
  signOutUrl,
  type ChatMessage,
  type RoomListing,
} from './api';
import { readConfig } from './config';
import { sendFailure } from './request';
import {
  ConnectionStatus,
  createChatConnection,
  type ChatConnection,
  type TypingEvent,
} from './connection';
import { dayKey, formatDay, formatTime } from './format';
import { linkParts } from './links';
import { mergeMessages, messageRows } from './messages';
// Compiled to a render function at build time (content/build.js): no template compiler and no
// eval in the browser, so the page runs under script-src 'self' (docs/security.md).
import { render } from './App.template.html';

/** The chat page: one reactive state object, verb-named actions, listeners tied to mount. */
const config = readConfig();
const STATUS_TEXT: Record<ConnectionStatus, string> = {
  [ConnectionStatus.Connecting]: 'Connecting…',
  [ConnectionStatus.Connected]: 'Connected',
  [ConnectionStatus.Reconnecting]: 'Reconnecting…',
  [ConnectionStatus.Offline]: 'Offline',
  [ConnectionStatus.SignedOut]: 'Signed out',
};
const TITLE = 'Serverless Chat';
/** How long "… is typing" stays after the last sign of it. */
const TYPING_SHOWN_MS = 4_000;
/** The character counter appears this close to the limit. */
const COUNTER_FROM = MAX_TEXT_CHARS - 200;

/** The room in the page's address (`#room=design`), so a reload returns to it. */
function roomInAddress(): string | undefined {
  const found = /^#room=(.+)$/.exec(location.hash);
  if (found === null) return undefined;
  try {
    return decodeURIComponent(found[1]);
  } catch {
    return undefined;
  }
}

/** Set when this browser was last seen signed in: the first page of history is then asked for at once. */
const SIGNED_IN_HINT = 'chat.signedIn';

/** The room a message is shown in: its room, or `general` for a private one. */
function roomOf(message: ChatMessage): string {
  return message.isPrivate ? GENERAL_ROOM : (message.room ?? GENERAL_ROOM);
}

const App = {
  setup() {
    const state = reactive({
      user: null as string | null,
      checkingSignIn: true,
      signInError: '',
      /** The session ended while the page was open. */
      signedOut: false,
      status: ConnectionStatus.Offline,
      rooms: [] as RoomListing[],
      room: GENERAL_ROOM,
      roomError: '',
      newRoom: '',
      drawerOpen: false,
      /** Messages shown, by room; `general` also holds the user's private conversations. */
      // Keyed by what users typed (room and user names): Maps, so a room named `constructor` or
      // `__proto__` is a key like any other (a plain object has those; Vue does not track
      // `__proto__` on one). docs/security.md, "The page".
      byRoom: new Map<string, ChatMessage[]>([[GENERAL_ROOM, []]]),
      /** Rooms whose latest history has been asked for. */
      loaded: new Map<string, boolean>(),
      /** False once a room's history has no older page. */
      hasEarlier: new Map<string, boolean>(),
      unread: new Map<string, number>(),
      /** Who is typing, by room: name → when to stop showing it. */
      typing: new Map<string, Map<string, number>>(),
      /** New messages arrived below while the reader was scrolled up. */
      newBelow: false,
      draft: '',
      recipient: null as string | null,
      sending: false,
      sendError: '',
      loadingEarlier: false,
      historyError: '',
      /** Who is online, by name. */
      online: [] as string[],
      now: Date.now(),
    });
    /** The id of the draft being sent; kept across retries of the same text. */
    let draftClientId: { text: string; id: string } | undefined;
    const list = ref<HTMLElement | null>(null);
    const composer = ref<HTMLTextAreaElement | null>(null);
    let connection: ChatConnection | undefined;
    let ticker: ReturnType<typeof setInterval> | undefined;

    const messages = computed(() => state.byRoom.get(state.room) ?? []);
    const rows = computed(() => messageRows(messages.value, dayKey));
    const unreadTotal = computed(() =>
      [...state.unread.values()].reduce((sum, count) => sum + count, 0),
    );
    const typingNames = computed(() =>
      [...(state.typing.get(state.room) ?? new Map<string, number>())]
        .filter(([name, until]) => until > state.now && name !== state.user)
        .map(([name]) => name),
    );
    const draftLength = computed(() => [...state.draft.trim()].length);
    const joinedRooms = computed(() => state.rooms.filter((room) => room.joined));
    const otherRooms = computed(() =>
      state.rooms
        .filter((room) => !room.joined)
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    );

    watch(unreadTotal, (total) => {
      document.title = total > 0 ? `(${total}) ${TITLE}` : TITLE;
    });
    watch(
      () => state.draft,
      (draft) => {
        if (draft.trim().length > 0 && state.recipient === null) connection?.typing(state.room);
      },
    );

    function isNearBottom(): boolean {
      const el = list.value;
      return el === null || el.scrollHeight - el.scrollTop - el.clientHeight < 80;
    }

    function scrollToBottom(): void {
      state.newBelow = false;
      void nextTick(() => list.value?.scrollTo({ top: list.value.scrollHeight }));
    }

    function onScroll(): void {
      if (isNearBottom()) state.newBelow = false;
    }

    /** Adds messages to their rooms; counts what the reader has not seen as unread. */
    function showMessages(incoming: readonly ChatMessage[], live: boolean): void {
      const follow = isNearBottom();
      const byRoom = new Map<string, ChatMessage[]>();
      for (const message of incoming) {
        const room = roomOf(message);
        byRoom.set(room, [...(byRoom.get(room) ?? []), message]);
      }
      for (const [room, found] of byRoom) {
        const before = state.byRoom.get(room) ?? [];
        const merged = mergeMessages(before, found);
        const added = merged.length - before.length;
        state.byRoom.set(room, merged);
        if (!live || added === 0) continue;
        const fromOthers = found.filter((message) => message.sender !== state.user).length;
        if (room !== state.room || document.hidden)
          state.unread.set(room, (state.unread.get(room) ?? 0) + fromOthers);
        if (room === state.room && !follow && fromOthers > 0) state.newBelow = true;
      }
      if (follow) scrollToBottom();
    }

    /**
     * The latest history of the room shown the first time, afterwards everything since the
     * newest message shown, so a drop loses nothing (ids shown already are merged away).
     */
    async function catchUp(room = state.room): Promise<void> {
      const shown = state.byRoom.get(room) ?? [];
      const newest = state.loaded.get(room) ? shown[shown.length - 1] : undefined;
      state.loaded.set(room, true);
      try {
        const found = await fetchHistory(
          config,
          room,
          newest === undefined ? {} : { after: newest.id },
        );
        if (newest === undefined) state.hasEarlier.set(room, found.length === HISTORY_PAGE_SIZE);
        // Catch-up re-reads a few seconds before the newest shown (clocks of other instances):
        // only what falls inside what is shown joins it; older pages stay behind "Load earlier".
        const oldest = (state.byRoom.get(room) ?? [])[0];
        showMessages(
          newest === undefined || oldest === undefined
            ? found
            : found.filter((message) => message.id > oldest.id),
          false,
        );
        state.historyError = '';
      } catch (error) {
        failed(error, (sentence) => (state.historyError = sentence));
      }
    }

    let roomsRetry: ReturnType<typeof setTimeout> | undefined;

    async function refreshRooms(): Promise<void> {
      clearTimeout(roomsRetry);
      try {
        state.rooms = await fetchRooms(config);
        // A reload comes back to the room it was in, once the list says the user is in it.
        const wanted = roomInAddress();
        if (wanted !== undefined && wanted !== state.room) {
          if (state.rooms.some((room) => room.name === wanted && room.joined)) openRoom(wanted);
          else history.replaceState(null, '', location.pathname + location.search);
        }
      } catch (error) {
        // Asked too often (or storage is down): ask again when the server says.
        if (error instanceof RetryLaterError)
          roomsRetry = setTimeout(() => void refreshRooms(), error.retryAfterSeconds * 1000);
        // A name the chat refuses (403) is said once, where the messages would be.
        else if (!(error instanceof RefusedError && error.status === 403))
          failed(error, (sentence) => (state.roomError = sentence));
      }
    }

    /**
     * Someone else's room appeared (its first member) or went (its last): the list changes here,
     * with no request, so one new room does not make every open page ask for the list at once.
     */
    function updateRoomList(event: { room: string; members: number }): void {
      const known = state.rooms.find((room) => room.name === event.room);
      if (known?.joined) return;
      const others = state.rooms.filter((room) => room.name !== event.room);
      if (event.members === 0) state.rooms = others;
      else if (known === undefined)
        state.rooms = [...others, { name: event.room, members: event.members, joined: false }];
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
        if (error instanceof SignedOutError) return endSession();
        // The list stays as it was meanwhile, and is asked for again while connected: when the
        // server says (429, 503), or in a few seconds (no answer, or a refusal).
        if (state.status === ConnectionStatus.Connected)
          onlineRetry = setTimeout(
            () => void refreshOnline(),
            (error instanceof RetryLaterError ? error.retryAfterSeconds : 5) * 1000,
          );
      }
    }

    function updateOnline(online: boolean, name: string): void {
      const others = state.online.filter((known) => known !== name);
      state.online = online ? [...others, name].sort() : others;
    }

    function showTyping(event: TypingEvent): void {
      if (event.name === state.user) return;
      const typing = new Map(state.typing.get(event.room));
      typing.set(event.name, Date.now() + TYPING_SHOWN_MS);
      state.typing.set(event.room, typing);
    }

    /** Older messages above, the reader's place kept: what they were reading stays in view. */
    async function loadEarlier(): Promise<void> {
      const room = state.room;
      const oldest = messages.value[0];
      if (oldest === undefined || state.loadingEarlier) return;
      state.loadingEarlier = true;
      try {
        const found = await fetchHistory(config, room, { before: oldest.id });
        state.hasEarlier.set(room, found.length === HISTORY_PAGE_SIZE);
        const el = list.value;
        const fromBottom = el === null ? 0 : el.scrollHeight - el.scrollTop;
        state.byRoom.set(room, mergeMessages(found, state.byRoom.get(room) ?? []));
        await nextTick();
        if (el !== null) el.scrollTop = el.scrollHeight - fromBottom;
      } catch (error) {
        failed(error, (sentence) => (state.historyError = sentence));
      } finally {
        state.loadingEarlier = false;
      }
    }

    function openRoom(room: string): void {
      state.room = room;
      history.replaceState(
        null,
        '',
        room === GENERAL_ROOM
          ? location.pathname + location.search
          : `${location.pathname}${location.search}#room=${encodeURIComponent(room)}`,
      );
      state.unread.set(room, 0);
      state.drawerOpen = false;
      state.roomError = '';
      if (!state.loaded.get(room)) void catchUp(room);
      scrollToBottom();
      void nextTick(() => composer.value?.focus());
    }

    async function joinRoom(name: string): Promise<void> {
      const room = name.normalize('NFC').trim();
      if (room.length === 0) return;
      state.roomError = '';
      try {
        await changeRoom(config, room, 'join');
        state.newRoom = '';
        await refreshRooms();
        openRoom(room);
      } catch (error) {
        failed(error, (sentence) => (state.roomError = sentence));
      }
    }

    async function leaveRoom(): Promise<void> {
      const room = state.room;
      if (room === GENERAL_ROOM) return;
      try {
        await changeRoom(config, room, 'leave');
        state.byRoom.delete(room);
        state.loaded.delete(room);
        state.unread.delete(room);
        openRoom(GENERAL_ROOM);
        await refreshRooms();
      } catch (error) {
        failed(error, (sentence) => (state.roomError = sentence));
      }
    }

    function addressPrivately(name: string): void {
      if (name === state.user) return;
      if (state.room !== GENERAL_ROOM) openRoom(GENERAL_ROOM);
      state.recipient = name;
      composer.value?.focus();
    }

    function cancelPrivate(): void {
      state.recipient = null;
      composer.value?.focus();
    }

    // Enter pressed while a message is still on its way: the draft typed meanwhile is sent
    // as soon as that one is accepted (not if it was refused: the error is shown first).
    let sendAgain = false;

    async function sendDraft(): Promise<void> {
      const text = state.draft.trim();
      if (state.sending) {
        sendAgain = true;
        return;
      }
      if (text.length === 0 || draftLength.value > MAX_TEXT_CHARS) return;
      state.sending = true;
      state.sendError = '';
      let accepted = false;
      try {
        if (draftClientId?.text !== text) draftClientId = { text, id: crypto.randomUUID() };
        const sent = await postMessage(config, text, state.recipient, draftClientId.id, state.room);
        showMessages([sent], true);
        scrollToBottom();
        draftClientId = undefined;
        accepted = true;
        // Only a message the server accepted clears the draft: nothing typed is lost.
        if (state.draft.trim() === text) state.draft = '';
      } catch (error) {
        state.sendError = sendFailure(error);
      } finally {
        state.sending = false;
        composer.value?.focus();
      }
      const again = sendAgain && accepted;
      sendAgain = false;
      if (again) await sendDraft();
    }

    function onComposerKey(event: KeyboardEvent): void {
      if (event.key === 'Escape' && state.recipient !== null) {
        event.preventDefault();
        cancelPrivate();
      } else if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        void sendDraft();
      }
    }

    function signIn(): void {
      location.assign(signInUrl(config));
    }

    async function signOut(): Promise<void> {
      localStorage.removeItem(SIGNED_IN_HINT);
      await connection?.stop();
      location.assign(signOutUrl(config));
    }

    /** The session ended while the page was open: stop, and ask to sign in again. */
    function endSession(): void {
      localStorage.removeItem(SIGNED_IN_HINT);
      state.signedOut = true;
      state.status = ConnectionStatus.SignedOut;
      void connection?.stop();
    }

    /** What a call's failure does, whatever the call: sign in again, or a sentence shown. */
    function failed(error: unknown, show: (sentence: string) => void): void {
      if (error instanceof SignedOutError) return endSession();
      show(error instanceof ApiError ? error.message : 'Something went wrong; try again.');
    }

    function onVisible(): void {
      if (!document.hidden) state.unread.set(state.room, 0);
    }

    onMounted(async () => {
      // The first page of history is asked for at once, beside the sign-in check (one round
      // trip less before the first message shows); signed out, its 401 is simply dropped.
      // Only when this browser was signed in last time: a signed-out visit asks for nothing but
      // /.auth/me (whose 401 is App Service's answer, the one red line in the console).
      const firstPage = (
        localStorage.getItem(SIGNED_IN_HINT) === null
          ? Promise.resolve(undefined)
          : fetchHistory(config, GENERAL_ROOM, {})
      ).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
      try {
        state.user = await fetchSignedInUser(config);
        if (state.user === null) localStorage.removeItem(SIGNED_IN_HINT);
        else localStorage.setItem(SIGNED_IN_HINT, '1');
      } catch (error) {
        state.signInError = `${(error as Error).message} Is the API running at ${config.apiBaseUrl}?`;
      } finally {
        state.checkingSignIn = false;
      }
      if (state.user === null) return;
      document.addEventListener('visibilitychange', onVisible);
      ticker = setInterval(() => (state.now = Date.now()), 1_000);
      connection = createChatConnection(config.apiBaseUrl, {
        message: (message) => showMessages([message], true),
        status: (status) => {
          state.status = status;
          if (status === ConnectionStatus.SignedOut) state.signedOut = true;
          if (status === ConnectionStatus.Connected) {
            void catchUp();
            void refreshOnline();
          }
        },
        presence: (event) => updateOnline(event.online, event.name),
        typing: showTyping,
        roomsChanged: () => void refreshRooms(),
        roomListChanged: updateRoomList,
        signedIn: async () => (await fetchSignedInUser(config)) !== null,
      });
      // History and rooms alongside the connection, not after it: the first screen sooner.
      connection.start();
      void refreshRooms();
      state.loaded.set(GENERAL_ROOM, true);
      const found =
        (await firstPage) ?? (await fetchHistory(config, GENERAL_ROOM, {}).catch((e: Error) => e));
      if (found instanceof SignedOutError) endSession();
      else if (found instanceof Error) state.historyError = found.message;
      else {
        state.hasEarlier.set(GENERAL_ROOM, found.length === HISTORY_PAGE_SIZE);
        showMessages(found, false);
      }
      await nextTick();
      composer.value?.focus();
    });

    onUnmounted(() => {
      clearTimeout(onlineRetry);
      clearTimeout(roomsRetry);
      clearInterval(ticker);
      document.removeEventListener('visibilitychange', onVisible);
      void connection?.stop();
    });

    return {
      state,
      list,
      composer,
      rows,
      messages,
      typingNames,
      draftLength,
      joinedRooms,
      otherRooms,
      STATUS_TEXT,
      GENERAL_ROOM,
      MAX_TEXT_CHARS,
      COUNTER_FROM,
      formatTime,
      formatDay,
      linkParts,
      addressPrivately,
      cancelPrivate,
      sendDraft,
      onComposerKey,
      onScroll,
      scrollToBottom,
      openRoom,
      joinRoom,
      leaveRoom,
      signIn,
      signOut,
      loadEarlier,
    };
  },
  render,
};

createApp(App).mount('#app');
