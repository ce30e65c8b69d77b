/**
 * What the receiver asks of a load balancer. The receiver owns the pool (verified, de-duplicated
 * deliveries, persisted); a driver only mirrors it into one load balancer backend. HAProxy is the
 * one shipped; another load balancer (nginx, Envoy) is one more file implementing this.
 */
export interface Target {
  /** Channel id; becomes the server's name in the backend. */
  id: string;
  /** The channel's `endpointUrl` (`https://` or `wss://`); its host and port become the server's address. */
  endpointUrl: string;
}

export interface ServerState {
  name: string;
  address: string;
  port: number;
  /** Operational state as the load balancer reports it: `up`, `down`, `maint`, `drain`, ... */
  state: string;
}

export interface ReconcileReport {
  added: string[];
  updated: string[];
  removed: string[];
}

export interface LoadBalancerDriver {
  readonly kind: string;
  /** Add the target, or move it to its new address. Rejects when the load balancer refused the change. */
  upsert(target: Target): Promise<void>;
  /** Drain and remove the server named `id`; a server that is already gone counts as removed. */
  remove(id: string): Promise<void>;
  /** Make the backend equal to `desired`: add what is missing, move what moved, remove what is extra. */
  reconcile(desired: Target[]): Promise<ReconcileReport>;
  servers(): Promise<ServerState[]>;
  /** Changes when the load balancer process restarted (its runtime changes are then gone). */
  instance(): Promise<string>;
}

/** The target cannot be given to the load balancer as it is; retrying will not help. */
export class TargetRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TargetRefusedError";
  }
}
