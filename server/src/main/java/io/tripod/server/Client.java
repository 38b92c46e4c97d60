package io.tripod.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.tripod.resp.RespWriter;
import io.tripod.server.command.CommandSpec;
import io.tripod.server.db.Database;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One connection's state, as Redis's {@code client} struct: selected database, protocol version,
 * authentication, transaction queue, subscriptions, and the output buffer that commands append
 * replies to. Replies are written to the socket once per batch of pipelined commands (at the end
 * of a read), not once per command.
 *
 * <p>Thread safety: owned by the server's event loop; every method must be called on it.
 */
public final class Client {
  public final long id;
  public final Server server;
  final Channel channel;
  final String addr;
  final String laddr;

  public Database db;
  public int proto = 2;
  public boolean authenticated;
  public byte[] name;
  public String libName;
  public String libVersion;

  final long createdMillis;
  long lastInteractionMillis;
  public CommandSpec lastCommand;

  // Transactions.
  public boolean inMulti;
  /** True while EXEC runs the queued commands: blocking commands must not block then. */
  public boolean inExec;
  /** A command failed to queue: EXEC answers EXECABORT. */
  public boolean dirtyExec;
  /** A watched key was touched: EXEC answers null. */
  public boolean dirtyCas;
  public final List<byte[][]> multiQueue = new ArrayList<>();
  public final List<CommandSpec> multiSpecs = new ArrayList<>();
  /** Watched keys, as (db id, key) pairs; the reverse index is in {@link Server#watched}. */
  public final List<WatchedKey> watchedKeys = new ArrayList<>();
  /**
   * The watched keys that were already logically expired when WATCHed (Redis's {@code
   * wk->expired}): their later deletion is no change, and EXEC does not fail because they are
   * expired.
   */
  public final Set<WatchedKey> watchedExpired = new HashSet<>();

  // Pub/Sub.
  public final Set<ByteKey> channels = new LinkedHashSet<>();
  public final Set<ByteKey> patterns = new LinkedHashSet<>();
  /** Shard channels (SSUBSCRIBE); a separate namespace, counted apart in replies. */
  public final Set<ByteKey> shardChannels = new LinkedHashSet<>();

  /** REPLCONF options a replica sent before SYNC/PSYNC (listening port, capabilities). */
  public io.tripod.server.repl.Replica replicaHandshake;
  /** The master's record of this connection once it is a replica (SYNC/PSYNC accepted). */
  public io.tripod.server.repl.Replica replica;
  /** Redis's CLIENT_CLOSE_ASAP: over its output buffer limit; no more output, closed soon. */
  public boolean closeAsap;
  /** When the output first stayed above the soft limit (seconds), 0 when below. */
  long obufSoftLimitReachedSec;
  /** master_repl_offset right after this client's last command (the target of its WAIT). */
  public long woff;
  /** replica-ack-writes: the replication offset this client's batch must see acknowledged (0: none). */
  public long ackHoldOffset;
  public boolean monitor;
  public boolean isReplica;
  public boolean isMaster;
  public boolean noEvict;
  public boolean noTouch;

  /** CLIENT REPLY: ON, OFF, or SKIP the next command's reply. */
  public enum ReplyMode { ON, OFF, SKIP, SKIP_NEXT }

  public ReplyMode replyMode = ReplyMode.ON;
  public boolean closeAfterReply;
  boolean closed;

  /** Replies of the current batch; handed to the channel at the end of the read. */
  ByteBuf out;
  /** Sink for replies suppressed by CLIENT REPLY OFF/SKIP. */
  private ByteBuf discard;

  long totalNetInput;
  long totalNetOutput;
  int queryBufferBytes;
  public int flagsBlocked;
  /** Set while a blocking command waits; the handler stops reading commands meanwhile. */
  public Object blockedOn;
  /** The command postponed by CLIENT PAUSE, run when the pause ends. */
  public byte[][] pausedArgv;
  /** Set by a command that propagates differently from how it was called (SET EX → PXAT). */
  public byte[][] propagateArgv;

  Client(long id, Server server, Channel channel, long now) {
    this.id = id;
    this.server = server;
    this.channel = channel;
    this.addr = format(channel == null ? null : channel.remoteAddress());
    this.laddr = format(channel == null ? null : channel.localAddress());
    this.createdMillis = now;
    this.lastInteractionMillis = now;
    this.db = server.db(0);
  }

  private static String format(java.net.SocketAddress a) {
    if (a instanceof InetSocketAddress) {
      InetSocketAddress i = (InetSocketAddress) a;
      String host = i.getAddress() == null ? i.getHostString() : i.getAddress().getHostAddress();
      return host + ":" + i.getPort();
    }
    return a == null ? "" : a.toString();
  }

  public String addr() {
    return addr;
  }

  public String laddr() {
    return laddr;
  }

  /** The peer's IP address. */
  public String ip() {
    int i = addr.lastIndexOf(':');
    return i < 0 ? addr : addr.substring(0, i);
  }

  /** Blocking commands answer as on timeout instead of blocking (MULTI/EXEC, scripts). */
  public boolean denyBlocking() {
    return inMulti || inExec;
  }

  /** Redis's CLIENT_PUBSUB: subscribed to any channel, pattern or shard channel. */
  public boolean isPubSub() {
    return !channels.isEmpty() || !patterns.isEmpty() || !shardChannels.isEmpty();
  }

  /** The count SUBSCRIBE/PSUBSCRIBE replies carry: channels plus patterns, not shard channels. */
  public int subscriptionCount() {
    return channels.size() + patterns.size();
  }

  /** The buffer replies go to: the output buffer, or a discard sink while replies are off. */
  public ByteBuf buf() {
    if (replyMode == ReplyMode.OFF || replyMode == ReplyMode.SKIP) {
      if (discard == null) {
        discard = Unpooled.buffer(256);
      }
      discard.clear();
      return discard;
    }
    if (out == null) {
      out = channel == null ? Unpooled.buffer(256) : channel.alloc().ioBuffer(256);
    }
    return out;
  }

  /** The output buffer regardless of CLIENT REPLY (push messages are always delivered). */
  public ByteBuf pushBuf() {
    if (out == null) {
      out = channel == null ? Unpooled.buffer(256) : channel.alloc().ioBuffer(256);
    }
    return out;
  }

  /** True when replies are waiting to be written (SYNC refuses to start then). */
  public boolean hasPendingReplies() {
    return out != null && out.isReadable();
  }

  /** Takes the pending replies (for the handler to write). */
  public ByteBuf takeOutput() {
    ByteBuf b = out;
    out = null;
    return b;
  }

  // ---- replies -------------------------------------------------------------------------------

  public void ok() {
    buf().writeBytes(RespWriter.OK);
  }

  public void simple(String s) {
    RespWriter.simple(buf(), s);
  }

  public void raw(byte[] bytes) {
    buf().writeBytes(bytes);
  }

  /**
   * An error reply. {@code message} is the full text after the dash, e.g. {@code ERR syntax
   * error} or {@code WRONGTYPE Operation against ...}. Counted in INFO errorstats.
   */
  public void error(String message) {
    server.stats.countError(message);
    RespWriter.error(buf(), message);
  }

  /** {@code -ERR <message>}. */
  public void err(String message) {
    error("ERR " + message);
  }

  public void integer(long v) {
    RespWriter.integer(buf(), v);
  }

  public void bulk(byte[] v) {
    RespWriter.bulk(buf(), v);
  }

  public void bulk(byte[] v, int off, int len) {
    RespWriter.bulk(buf(), v, off, len);
  }

  public void bulk(String s) {
    RespWriter.bulk(buf(), s.getBytes(StandardCharsets.UTF_8));
  }

  /** A bulk string, or the null bulk when {@code v} is null. */
  public void bulkOrNull(byte[] v) {
    if (v == null) {
      nullBulk();
    } else {
      bulk(v);
    }
  }

  public void bulkLong(long v) {
    RespWriter.bulkLong(buf(), v);
  }

  public void nullBulk() {
    RespWriter.nullBulk(buf(), proto);
  }

  public void nullArray() {
    RespWriter.nullArray(buf(), proto);
  }

  public void array(long n) {
    RespWriter.arrayHeader(buf(), n);
  }

  public void map(long pairs) {
    RespWriter.mapHeader(buf(), proto, pairs);
  }

  public void set(long n) {
    RespWriter.setHeader(buf(), proto, n);
  }

  public void doubleValue(double d) {
    RespWriter.doubleValue(buf(), proto, d);
  }

  public void bool(boolean b) {
    RespWriter.bool(buf(), proto, b);
  }

  public void verbatim(String text) {
    RespWriter.verbatim(buf(), proto, text.getBytes(StandardCharsets.UTF_8), "txt");
  }

  public void emptyArray() {
    buf().writeBytes(RespWriter.EMPTY_ARRAY);
  }

  public void bulks(List<byte[]> items) {
    array(items.size());
    for (byte[] b : items) {
      bulk(b);
    }
  }

  // ---- common errors -------------------------------------------------------------------------

  public void syntaxError() {
    err("syntax error");
  }

  public void wrongType() {
    error("WRONGTYPE Operation against a key holding the wrong kind of value");
  }

  public void notInteger() {
    err("value is not an integer or out of range");
  }

  public void notFloat() {
    err("value is not a valid float");
  }

  public void arityError(String fullName) {
    err("wrong number of arguments for '" + fullName + "' command");
  }

  public boolean isClosed() {
    return closed;
  }

  public Channel channel() {
    return channel;
  }

  /** Key wrapper with value equality, for sets of channels and watched keys. */
  public static final class ByteKey {
    public final byte[] bytes;
    private final int hash;

    public ByteKey(byte[] bytes) {
      this.bytes = bytes;
      this.hash = java.util.Arrays.hashCode(bytes);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ByteKey && java.util.Arrays.equals(bytes, ((ByteKey) o).bytes);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /** A key this client WATCHes. */
  public record WatchedKey(int dbId, ByteKey key) {}

  /** For tests: a set view of subscribed channel names. */
  public Set<String> channelNames() {
    Set<String> s = new HashSet<>();
    for (ByteKey k : channels) {
      s.add(new String(k.bytes, StandardCharsets.UTF_8));
    }
    return s;
  }
}
