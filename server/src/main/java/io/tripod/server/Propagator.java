package io.tripod.server;

/**
 * Receives every write after it is applied, as the argument vector to replay (Redis's {@code
 * propagate}): replication feeds replicas and the backlog from it, the AOF appends it.
 */
@FunctionalInterface
public interface Propagator {
  void propagate(int dbId, byte[][] argv);

  Propagator NONE = (db, argv) -> {};
}
