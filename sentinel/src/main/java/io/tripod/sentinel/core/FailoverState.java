package io.tripod.sentinel.core;

import java.util.EnumSet;
import java.util.Set;

/**
 * A master's failover state, as Redis 7.0's {@code SENTINEL_FAILOVER_STATE_*}. Only {@link
 * Instance} moves between them, through {@code SentinelCore.transitionTo}, which checks {@link
 * #canGo}.
 */
public enum FailoverState {
  /** No failover in progress for this master. */
  NONE("none"),
  /** We started a failover (epoch incremented, votes requested); waiting to be elected leader. */
  WAIT_START("wait_start"),
  /** Elected: choose the replica to promote (may abort with no good replica). */
  SELECT_SLAVE("select_slave"),
  /** Send SLAVEOF NO ONE to the chosen replica as soon as its link is up. */
  SEND_SLAVEOF_NOONE("send_slaveof_noone"),
  /** SLAVEOF NO ONE sent; wait for the replica's INFO to report role:master. */
  WAIT_PROMOTION("wait_promotion"),
  /** Promoted: point the other replicas at it, parallel-syncs at a time. */
  RECONF_SLAVES("reconf_slaves"),
  /** All replicas reconfigured (or timeout): switch our master address to the promoted one. */
  UPDATE_CONFIG("update_config");

  /** The text of the {@code failover-state} field. */
  public final String text;

  FailoverState(String text) {
    this.text = text;
  }

  /** Legal next states. NONE is reachable from anywhere through a master reset (switch/RESET). */
  public Set<FailoverState> next() {
    switch (this) {
      case NONE:
        return EnumSet.of(WAIT_START);
      case WAIT_START:
        return EnumSet.of(SELECT_SLAVE, NONE);
      case SELECT_SLAVE:
        return EnumSet.of(SEND_SLAVEOF_NOONE, NONE);
      case SEND_SLAVEOF_NOONE:
        return EnumSet.of(WAIT_PROMOTION, NONE);
      case WAIT_PROMOTION:
        return EnumSet.of(RECONF_SLAVES, NONE);
      case RECONF_SLAVES:
        return EnumSet.of(UPDATE_CONFIG);
      case UPDATE_CONFIG:
        return EnumSet.noneOf(FailoverState.class);
      default:
        throw new AssertionError(this);
    }
  }

  public boolean canGo(FailoverState to) {
    return next().contains(to);
  }
}
