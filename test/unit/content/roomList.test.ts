import { orderRooms, type RoomListing } from '../../../content/src/roomList';

/** The page's room list over pages: pages follow storage's key order, the page orders the whole. */
describe('orderRooms', () => {
  const room = (name: string, joined = false): RoomListing => ({ name, members: 1, joined });

  it('puts general first, then every room by name, wherever general was on the pages', () => {
    const pages = [
      room('zeta'),
      room('alpha'),
      room('general', true),
      room('王芳 🦊'),
      room('beta'),
    ];
    expect(orderRooms(pages).map((r) => r.name)).toEqual([
      'general',
      'alpha',
      'beta',
      'zeta',
      '王芳 🦊',
    ]);
  });
});
