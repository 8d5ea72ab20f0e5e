import { refused, unavailable } from '../HttpError';
import { RestClient, RestError, encodePathSegment, hubPath } from './RestClient';

/**
 * What the functions ask the SignalR Service about its connections, so that presence changes
 * only what the service confirms (docs/storage.md, "Presence"). A service that does not answer
 * is a 503 naming SignalR; one that refuses, a 500.
 */
export interface ServiceConnections {
  /** Whether the service knows this connection now (REST `HEAD .../connections/{id}`). */
  connectionExists(connectionId: string): Promise<boolean>;
  /** Whether the user has at least one connection now (REST `HEAD .../users/{user}`). */
  userExists(userId: string): Promise<boolean>;
}

export class RestServiceConnections implements ServiceConnections {
  private rest?: RestClient;
  private readonly hub: string;

  /** The connection string is parsed on first use: a function that never asks needs none. */
  constructor(
    private readonly connectionString: string,
    hub: string,
  ) {
    this.hub = hubPath(hub);
  }

  connectionExists(connectionId: string): Promise<boolean> {
    return this.ask(`${this.hub}/connections/${encodePathSegment(connectionId)}`);
  }

  userExists(userId: string): Promise<boolean> {
    return this.ask(`${this.hub}/users/${encodePathSegment(userId)}`);
  }

  private async ask(resource: string): Promise<boolean> {
    try {
      this.rest ??= new RestClient(this.connectionString);
      return await this.rest.exists(resource);
    } catch (error) {
      throw error instanceof RestError && error.transient
        ? unavailable('signalr', error)
        : refused('signalr', error);
    }
  }
}
