package io.tripod.server.repl;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.tripod.server.Client;
import io.tripod.server.Server;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tripod's replication backpressure ({@code repl-backpressure-size}, hidden from CONFIG GET
 * patterns): while an online replica has more than that many stream bytes that its socket has not
 * taken, the master stops running write commands; they wait, unread, until the replica drained to
 * half of it. Reads go on. Redis has no such bound: a master that writes faster than its replicas
 * apply lets them fall behind until their output buffer limit drops them and a full sync follows
 * (the seed's "replication breaks under heavy write traffic"). With it, replication lag stays
 * within a few megabytes, and the master writes at the speed its slowest healthy replica applies.
 *
 * <p>The limit is capped at half the replica class's {@code client-output-buffer-limit}, so a
 * replica that applies slowly is held back before that limit would drop it.
 *
 * <p>A replica that stays over the limit for {@code replica-ack-timeout} without draining to the
 * low mark is stalled (SIGSTOPped, a dead network): it stops counting until it drains, so one
 * stuck replica never stops the master's writes for longer than that; its output buffer limit
 * then applies as in Redis.
 *
 * <p>Mechanism: each replica channel's Netty write buffer water marks are the limit and half of
 * it, so writability events tell when a replica crosses them. A client about to run a write
 * command while the master is held parks it ({@link Parker}); when the hold lifts, parked clients
 * continue in the order they parked. A chained replica applies the same bound by pausing reads
 * from its own master link.
 *
 * <p>Thread safety: event-loop owned.
 */
public final class Backpressure {
  private static final Logger log = LoggerFactory.getLogger(Backpressure.class);

  /** What a parked client does when the hold lifts (ClientHandler implements it). */
  public interface Parker {
    void unpark();
  }

  private final Server server;
  private final Replication repl;
  private final Set<Parker> parked = new LinkedHashSet<>();
  private boolean held;

  Backpressure(Server server, Replication repl) {
    this.server = server;
    this.repl = repl;
  }

  /** True while writes must wait for a replica to drain. */
  public boolean held() {
    return held;
  }

  /** Parks {@code p} until the hold lifts. */
  public void park(Parker p) {
    parked.add(p);
  }

  /** Forgets a parked client that went away. */
  public void forget(Parker p) {
    parked.remove(p);
  }

  /** The limit the replica channels' water marks were last set to. */
  private long appliedLimit = -1;

  /** Sets the water marks on a channel that became a replica. */
  void watch(Client c) {
    appliedLimit = effectiveLimit();
    mark(c, appliedLimit);
  }

  /** Applies a CONFIG SET of the limits to the replicas already there (the cron calls it). */
  void rewatch() {
    long limit = effectiveLimit();
    if (limit != appliedLimit) {
      appliedLimit = limit;
      for (Replica r : repl.replicas) {
        mark(r.client, limit);
      }
    }
  }

  private static void mark(Client c, long limit) {
    Channel ch = c.channel();
    if (ch == null || limit <= 0) {
      return;
    }
    int high = (int) Math.min(Integer.MAX_VALUE, limit);
    ch.config().setOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(high / 2, high));
  }

  /**
   * repl-backpressure-size, capped at half the replica class's client-output-buffer-limit (hard
   * and soft): a replica that applies slowly is held back before the limit would drop it.
   */
  long effectiveLimit() {
    long limit = server.config.replBackpressureSize;
    long[] out = server.config.clientOutputBufferLimit[1];
    for (int i = 0; i < 2; i++) {
      if (limit > 0 && out[i] > 0) {
        limit = Math.min(limit, Math.max(1024, out[i] / 2));
      }
    }
    return limit;
  }

  /** A replica's channel crossed a water mark. */
  public void writabilityChanged(Replica r, boolean writable) {
    if (writable) {
      r.congestedSince = 0;
      if (r.stalled) {
        r.stalled = false;
        log.info("Replica {}:{} drained: it counts for write backpressure again", r.announcedIp(), r.listeningPort);
      }
    } else if (r.congestedSince == 0) {
      r.congestedSince = server.clock.millis();
      if (!r.stallCheckScheduled) {
        r.stallCheckScheduled = true;
        server.schedule(() -> stallCheck(r), server.config.replicaAckTimeoutMillis, TimeUnit.MILLISECONDS);
      }
    }
    update();
  }

  /** One pending check a replica at most (congestion comes and goes thousands of times a second). */
  private void stallCheck(Replica r) {
    r.stallCheckScheduled = false;
    if (r.congestedSince == 0 || r.stalled || r.client.isClosed()) {
      return;
    }
    long timeout = server.config.replicaAckTimeoutMillis;
    long over = server.clock.millis() - r.congestedSince;
    if (over < timeout) {
      r.stallCheckScheduled = true; // congested again since: check at the end of this episode
      server.schedule(() -> stallCheck(r), timeout - over, TimeUnit.MILLISECONDS);
      return;
    }
    r.stalled = true;
    log.warn("Replica {}:{} has not drained its stream for {} ms: writes no longer wait for it",
        r.announcedIp(), r.listeningPort, timeout);
    update();
  }

  /** Recomputes the hold; when it lifts, parked clients and a paused master link continue. */
  public void update() {
    boolean now = false;
    if (server.config.replBackpressureSize > 0) {
      for (Replica r : repl.replicas) {
        Channel ch = r.client.channel();
        if (r.receivesStream() && !r.stalled && ch != null && ch.isActive() && !ch.isWritable()) {
          now = true;
          break;
        }
      }
    }
    if (now == held) {
      return;
    }
    held = now;
    if (held) {
      return;
    }
    repl.resumeLinkReads();
    if (!parked.isEmpty()) {
      List<Parker> list = new ArrayList<>(parked);
      parked.clear();
      for (Parker p : list) {
        if (held) {
          parked.add(p); // the hold came back while earlier clients ran
        } else {
          p.unpark();
        }
      }
    }
  }
}
