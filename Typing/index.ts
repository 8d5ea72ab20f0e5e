import { instanceServices } from '../lib/services';
import { createTyping } from './createTyping';

/** The function, as the host loads it: the only export; its services are this instance's. */
export default createTyping(instanceServices());
