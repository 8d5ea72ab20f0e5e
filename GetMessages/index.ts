import { instanceServices } from '../lib/services';
import { createGetMessages } from './createGetMessages';

/**
 * The function, as the host loads it: the only export, so the worker finds it without an
 * `entryPoint` (azure-functions-nodejs-worker, LegacyFunctionLoader.getEntryPoint). Its
 * services are this instance's, made once from the app settings.
 */
export default createGetMessages(instanceServices());
