import { instanceServices } from '../lib/services';
import { createGetRooms } from './createGetRooms';

/** The function, as the host loads it: the only export; its services are this instance's. */
export default createGetRooms(instanceServices());
