import { instanceServices } from '../lib/services';
import { createSendMessage } from './createSendMessage';

/**
 * The function, as the host loads it: infra/bundle-functions.js bundles every function into
 * dist/functions.js, where this default export becomes the export that function.json's
 * `entryPoint` names (the folder's name). Its services are this instance's, made once from the
 * app settings.
 */
export default createSendMessage(instanceServices());
