import { instanceServices } from '../lib/services';
import { createNegotiate } from './createNegotiate';

/** The function, as the host loads it (function.json's `entryPoint`); this instance's services. */
export default createNegotiate(instanceServices());
