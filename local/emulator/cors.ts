import type { IncomingMessage, ServerResponse } from 'node:http';
import { applyCors as applyCorsPolicy } from '../http/cors';

/**
 * CORS for the client endpoints: the browser calls negotiate from the page's origin with
 * credentials, so any origin is echoed (never `*`) and credentials allowed, as the service does.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse): boolean {
  return applyCorsPolicy(req, res, {
    origins: '*',
    credentials: true,
    methods: 'GET, POST, OPTIONS',
  });
}
