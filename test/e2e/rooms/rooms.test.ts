import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatMessage } from '../../../lib/ChatMessage';
import { HubConnectionBuilder, LogLevel } from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { HubMethod, ServerMethod } from '../../../lib/hub';
import { roomGroup } from '../../../lib/rooms';
import { parseConnectionString, serverBaseUrl } from '../../../lib/signalr/ConnectionString';
import { createServerToken } from '../../../lib/signalr/tokens';
import type { Stack } from '../../../local/stack';
import { Listener, postMessage, signIn } from '../../support/chatClients';
import { eventually } from '../../support/eventually';
import { portsOf, startTestStack } from '../../support/testStack';

/**
 * Rooms through the whole offline stack with the official client: join and leave through the
 * signalR output binding's group actions, messages to members only (every tab, now and later),
 * room history, typing through the upstream, membership that outlives a restart.
 */
jest.setTimeout(60_000);

const ROOM = 'Ngọc Ánh 🎉 100%';

interface Typing {
  readonly name: string;
  readonly room: string;
}

describe('rooms', () => {
  let stack: Stack;
  let location: string;
  const cookies: Record<string, string> = {};

  beforeAll(async () => {
    location = mkdtempSync(join(tmpdir(), 'rooms-azurite-'));
    stack = await startTestStack({ storageLocation: location });
    for (const name of ['王芳', 'bob', 'carol']) cookies[name] = await signIn(stack.urls.api, name);
  });

  afterAll(async () => {
    await stack?.close();
    rmSync(location, { recursive: true, force: true });
  });

  const api = (path: string, name: string, method = 'POST') =>
    fetch(`${stack.urls.api}/api/${path}`, { method, headers: { Cookie: cookies[name] } });
  const membership = (name: string, action: 'join' | 'leave', room = ROOM) =>
    api(`rooms/${encodeURIComponent(room)}/${action}`, name);
  const say = (name: string, text: string, room = ROOM) =>
    postMessage(stack.urls.api, cookies[name], JSON.stringify({ text, room }));
  const tab = (name: string) => Listener.connect(stack.urls.api, cookies[name], name);
  const texts = (listener: Listener) => listener.messages.map((m: ChatMessage) => m.text);

  it("delivers a room's messages to its members' every tab, now and later, and to no one else", async () => {
    const fang = await tab('王芳');
    const bob = await tab('bob');
    try {
      expect((await membership('王芳', 'join')).status).toBe(200);
      // A tab opened after the join is in the room too: the service keeps user-group membership.
      const fangLater = await tab('王芳');
      try {
        const sent = await say('王芳', 'in the room');
        expect(sent.status).toBe(202);
        expect(sent.json).toMatchObject({ room: ROOM, sender: '王芳' });
        await fang.waitForText('in the room');
        await fangLater.waitForText('in the room');
        // A general message after it: once bob has it, the room's message has passed him by.
        expect((await postMessage(stack.urls.api, cookies.bob, '{"text":"for all"}')).status).toBe(
          202,
        );
        await bob.waitForText('for all');
        expect(texts(bob)).not.toContain('in the room');
        expect(fang.messages.find((m) => m.text === 'in the room')!.room).toBe(ROOM);
        expect(bob.messages.find((m) => m.text === 'for all')!.room).toBe('general');
      } finally {
        await fangLater.stop();
      }
      // bob may not write to it, nor read it, until he joins.
      const refused = await say('bob', 'let me in');
      expect([refused.status, (refused.json as { code: string }).code]).toEqual([
        403,
        'NotAMember',
      ]);
      expect((await api(`messages?room=${encodeURIComponent(ROOM)}`, 'bob', 'GET')).status).toBe(
        403,
      );
      expect((await membership('bob', 'join')).status).toBe(200);
      expect((await say('王芳', 'welcome bob')).status).toBe(202);
      await bob.waitForText('welcome bob');
      // Leaving takes every tab out.
      expect((await membership('bob', 'leave')).status).toBe(200);
      expect((await say('王芳', 'after bob left')).status).toBe(202);
      await fang.waitForText('after bob left');
      expect((await postMessage(stack.urls.api, cookies.carol, '{"text":"sentinel"}')).status).toBe(
        202,
      );
      await bob.waitForText('sentinel');
      expect(texts(bob)).not.toContain('after bob left');
    } finally {
      await Promise.all([fang.stop(), bob.stop()]);
    }
  });

  it('lists rooms with their members and the caller’s, and keeps each room’s history apart', async () => {
    const response = await api('rooms', '王芳', 'GET');
    expect(response.status).toBe(200);
    const { rooms } = (await response.json()) as {
      rooms: { name: string; members: number; joined: boolean }[];
    };
    expect(rooms[0]).toMatchObject({ name: 'general', joined: true });
    expect(rooms).toContainEqual({ name: ROOM, members: 1, joined: true });
    const history = (await (
      await api(`messages?room=${encodeURIComponent(ROOM)}`, '王芳', 'GET')
    ).json()) as { messages: ChatMessage[] };
    expect(history.messages.map((m) => m.text)).toEqual([
      'in the room',
      'welcome bob',
      'after bob left',
    ]);
    const general = (await (await api('messages', '王芳', 'GET')).json()) as {
      messages: ChatMessage[];
    };
    expect(general.messages.map((m) => m.text)).not.toContain('in the room');
  });

  it("tells the room's other members who is typing, through the upstream, and no one else", async () => {
    const fang = await tab('王芳');
    const bob = await tab('bob');
    const carol = await tab('carol');
    const seen: Record<string, Typing[]> = { fang: [], bob: [], carol: [] };
    fang.connection.on(HubMethod.UserTyping, (event: Typing) => seen.fang.push(event));
    bob.connection.on(HubMethod.UserTyping, (event: Typing) => seen.bob.push(event));
    carol.connection.on(HubMethod.UserTyping, (event: Typing) => seen.carol.push(event));
    try {
      expect((await membership('carol', 'join')).status).toBe(200);
      await bob.connection.send(ServerMethod.Typing, ROOM); // not a member: nothing
      await fang.connection.send(ServerMethod.Typing, ROOM);
      await fang.connection.send(ServerMethod.Typing, ROOM); // within 2 s: not told again
      await eventually(() => seen.carol.length > 0, 'the expected event');
      // A sentinel after both: general typing reaches everyone, in order, after the room's.
      await carol.connection.send(ServerMethod.Typing, 'general');
      await eventually(() => seen.bob.some((e) => e.name === 'carol'), 'the expected event');
      await eventually(() => seen.fang.some((e) => e.name === 'carol'), 'the expected event');
      expect(seen.carol).toEqual([
        { name: '王芳', room: ROOM },
        { name: 'carol', room: 'general' },
      ]);
      expect(seen.bob).toEqual([{ name: 'carol', room: 'general' }]);
    } finally {
      await Promise.all([fang.stop(), bob.stop(), carol.stop()]);
    }
  });

  it('keeps membership across a restart of the whole stack (stored, given back to the service)', async () => {
    await stack.close();
    stack = await startTestStack({ storageLocation: location, ports: portsOf(stack) });
    for (const name of ['王芳', 'carol']) cookies[name] = await signIn(stack.urls.api, name);
    const fang = await tab('王芳');
    try {
      // OnConnected gives the service her rooms back a moment after she connects (upstream):
      // carol writes to the room once a second (inside her send limit) until one reaches her,
      // for at most 10 s.
      const deadline = Date.now() + 10_000;
      for (let n = 0; !fang.messages.some((m) => m.room === ROOM); n++) {
        if (Date.now() > deadline)
          throw new Error('No room message reached her after the restart.');
        expect((await say('carol', `after the restart ${n}`)).status).toBe(202);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    } finally {
      await fang.stop();
    }
  });

  it("runs a MessagePack client's hub method through the whole stack, answered in MessagePack", async () => {
    // The official client with the MessagePack protocol: the service sends its invocation up as
    // application/x-msgpack, the host reads it as the extension does and answers in kind.
    const binary = new HubConnectionBuilder()
      .withUrl(`${stack.urls.api}/api`, { headers: { Cookie: cookies.carol } })
      .withHubProtocol(new MessagePackHubProtocol())
      .configureLogging(LogLevel.None)
      .build();
    const bob = await tab('bob');
    try {
      const seen: Typing[] = [];
      bob.connection.on(HubMethod.UserTyping, (event: Typing) => seen.push(event));
      await binary.start();
      await expect(binary.invoke(ServerMethod.Typing, 'general')).resolves.toBeNull();
      await eventually(() => seen.length > 0, 'bob to hear carol typing');
      expect(seen).toEqual([{ name: 'carol', room: 'general' }]);
    } finally {
      await binary.stop();
      await bob.stop();
    }
  });

  describe('races, floods and look-alikes', () => {
    /** Whether the service has `user` in the room's group (the REST API's own check). */
    const inGroup = async (user: string, room: string) => {
      const cs = parseConnectionString(stack.signalRConnectionString);
      const url = `${serverBaseUrl(cs)}/api/v1/hubs/chat/groups/${encodeURIComponent(roomGroup(room))}/users/${encodeURIComponent(user)}`;
      const response = await fetch(url, {
        method: 'HEAD',
        headers: { Authorization: `Bearer ${createServerToken(cs, url)}` },
      });
      return response.status === 200;
    };
    const fire = (name: string, room: string, action: string) =>
      fetch(`${stack.urls.api}/api/rooms/${encodeURIComponent(room)}/${action}`, {
        method: 'POST',
        headers: { Cookie: cookies[name] },
      });

    it('limits joins and leaves: of 25 at once, 10 pass and the rest get 429 ActionLimit with Retry-After', async () => {
      cookies.flood = await signIn(stack.urls.api, 'Ngọc 🦊 flood');
      const answers = await Promise.all(
        Array.from({ length: 25 }, (_, i) => fire('flood', `flood ${i}`, 'join')),
      );
      const statuses = answers.map((a) => a.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(10);
      expect(statuses.filter((s) => s === 429)).toHaveLength(15);
      const refused = answers.find((a) => a.status === 429)!;
      expect(refused.headers.get('retry-after')).toBe('2');
      expect(await refused.json()).toMatchObject({ code: 'ActionLimit' });
    });

    it('ends the service group as storage says after racing joins and leaves, and the room list repairs a group the service lost', async () => {
      cookies.racer = await signIn(stack.urls.api, 'racer');
      const rooms = ['race a', 'race b'];
      await Promise.all(
        rooms.flatMap((room) =>
          ['join', 'leave', 'join', 'leave'].map((action) => fire('racer', room, action)),
        ),
      );
      const listed = async () =>
        (
          (await (await api('rooms', 'racer', 'GET')).json()) as {
            rooms: { name: string; joined: boolean }[];
          }
        ).rooms;
      for (const room of rooms) {
        const member = (await listed()).some((r) => r.name === room && r.joined);
        expect({ room, inGroup: await inGroup('racer', room) }).toEqual({ room, inGroup: member });
      }
      // The service loses the group (an action that reached it out of order, a restart): the
      // next room list puts the member back.
      expect((await fire('racer', 'race c', 'join')).status).toBe(200);
      const cs = parseConnectionString(stack.signalRConnectionString);
      const url = `${serverBaseUrl(cs)}/api/v1/hubs/chat/groups/${encodeURIComponent(roomGroup('race c'))}/users/racer`;
      await fetch(url, {
        method: 'DELETE',
        headers: { Authorization: `Bearer ${createServerToken(cs, url)}` },
      });
      expect(await inGroup('racer', 'race c')).toBe(false);
      await listed();
      expect(await inGroup('racer', 'race c')).toBe(true);
    });

    it.each([
      ['General', 'general'],
      ['ROOM ONE', 'room one'],
      ['сор', 'cop'],
    ])(
      'refuses a new room %j that looks like the room %j with 409 LookAlikeRoom',
      async (room, existing) => {
        if (existing !== 'general')
          expect((await membership('bob', 'join', existing)).status).toBe(200);
        const response = await membership('carol', 'join', room);
        expect(response.status).toBe(409);
        expect(await response.json()).toMatchObject({ code: 'LookAlikeRoom' });
      },
    );

    it.each(['general\\u200b', 'general\\u200d', 'general\\u2060', 'g\\u0435neral'])(
      'refuses the room %s with 400 InvalidRoom, making no room',
      async (escaped) => {
        const room = JSON.parse(`"${escaped}"`) as string;
        const response = await membership('carol', 'join', room);
        expect(response.status).toBe(400);
        expect(await response.json()).toMatchObject({ code: 'InvalidRoom' });
      },
    );

    it('tells everyone when a room appears, so their lists are current without a reload', async () => {
      const bob = await tab('bob');
      try {
        const heard: unknown[] = [];
        bob.connection.on(HubMethod.RoomListChanged, (event: unknown) => heard.push(event));
        expect((await membership('carol', 'join', 'brand new 🌱')).status).toBe(200);
        await eventually(() => heard.length > 0, 'the expected event');
        expect(heard).toEqual([{ room: 'brand new 🌱', members: 1 }]);
      } finally {
        await bob.stop();
      }
    });
  });
});
