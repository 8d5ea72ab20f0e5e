import { instanceServices } from '../lib/services';
import { createRoomMembership } from './createRoomMembership';

/** The function, as the host loads it: the only export; its services are this instance's. */
export default createRoomMembership(instanceServices());
