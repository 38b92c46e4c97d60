package io.tripod.proxy.lb;

/** What server selection needs to know about a server. */
public interface LbServer {
  /** Configuration-order id, 1-based. */
  int id();

  /** UP (or no check), not in maintenance, weight > 0. */
  boolean usable();

  boolean backup();

  int weight();

  /** Connections currently served by (or being connected to) this server. */
  int inflight();

  /** 0 = unlimited. */
  int maxconn();

  default boolean full() {
    return maxconn() > 0 && inflight() >= maxconn();
  }
}
