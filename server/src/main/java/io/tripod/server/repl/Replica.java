package io.tripod.server.repl;

import io.tripod.server.Client;
import java.util.ArrayList;
import java.util.List;

/**
 * The master's view of one replica connection (Redis keeps this in the replica's {@code client}).
 * Event-loop owned.
 */
public final class Replica {
  /** Redis's {@code SLAVE_STATE_*}, with the names INFO prints. */
  public enum State {
    /** Waiting for a snapshot to start (diskless delay, or one already running). */
    WAIT_BGSAVE_START("wait_bgsave"),
    /** +FULLRESYNC sent; the snapshot is being produced (and, diskless, streamed). */
    WAIT_BGSAVE_END("wait_bgsave"),
    /** A disk snapshot is being sent ($len framing). */
    SEND_BULK("send_bulk"),
    /** In sync: receives the command stream. */
    ONLINE("online");

    public final String infoName;

    State(String infoName) {
      this.infoName = infoName;
    }
  }

  public final Client client;
  public State state = State.WAIT_BGSAVE_START;
  public long ackOffset;
  public long ackTimeMillis;
  public int listeningPort;
  public String ipAddress;
  public boolean capaEof;
  public boolean capaPsync2;
  /** Came with SYNC, not PSYNC: no +FULLRESYNC line, no ACKs expected. */
  public boolean prePsync;
  /** Diskless: the stream starts only after the replica's first REPLCONF ACK (Redis 7.0). */
  public boolean startStreamOnAck;
  /** Stream bytes that arrived while the replica was syncing, sent after the RDB. */
  final List<byte[]> pending = new ArrayList<>();
  long pendingBytes;
  public long waitStartMillis;
  /**
   * Where this replica's part of the current turn's shared stream buffer starts ({@link
   * Replication#feed}), or -1 when it has nothing there.
   */
  int turnStart = -1;
  /** When the channel went over the backpressure limit (0: under it); see {@link Backpressure}. */
  long congestedSince;
  /** Over the limit for longer than replica-ack-timeout: writes no longer wait for it. */
  boolean stalled;
  /** A stall check is scheduled (Backpressure). */
  boolean stallCheckScheduled;
  /** Offset the replica gets with +FULLRESYNC. */
  long fullSyncOffset;

  Replica(Client client, long now) {
    this.client = client;
    this.waitStartMillis = now;
    this.ackTimeMillis = now;
  }

  /** Stream bytes queued behind the RDB (what the output limits count while syncing). */
  public long pendingBytes() {
    return pendingBytes;
  }

  /** True once stream bytes go straight to the socket (the RDB is delivered and loaded). */
  public boolean receivesStream() {
    return state == State.ONLINE && !startStreamOnAck;
  }

  /** The address INFO and ROLE show: REPLCONF ip-address, else the peer IP. */
  public String announcedIp() {
    return ipAddress != null ? ipAddress : client.ip();
  }
}
