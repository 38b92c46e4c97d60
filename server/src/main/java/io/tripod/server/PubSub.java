package io.tripod.server;

import io.netty.buffer.ByteBuf;
import io.tripod.resp.RespWriter;
import io.tripod.server.Client.ByteKey;
import io.tripod.server.util.Glob;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Channels and patterns with their subscribers (Redis's {@code pubsub_channels} and {@code
 * pubsub_patterns}). Messages are appended to each receiver's output buffer and flushed after the
 * current batch. Event-loop owned.
 */
public final class PubSub {
  private static final byte[] MESSAGE = RespWriter.ascii("message");
  private static final byte[] PMESSAGE = RespWriter.ascii("pmessage");

  private final Server server;
  final Map<ByteKey, Set<Client>> channels = new LinkedHashMap<>();
  final Map<ByteKey, Set<Client>> patterns = new LinkedHashMap<>();

  PubSub(Server server) {
    this.server = server;
  }

  /** Subscribes; returns false if already subscribed. */
  public boolean subscribe(Client c, byte[] channel) {
    ByteKey k = new ByteKey(channel);
    if (!c.channels.add(k)) {
      return false;
    }
    channels.computeIfAbsent(k, x -> new LinkedHashSet<>()).add(c);
    return true;
  }

  public boolean unsubscribe(Client c, byte[] channel) {
    ByteKey k = new ByteKey(channel);
    if (!c.channels.remove(k)) {
      return false;
    }
    Set<Client> subs = channels.get(k);
    if (subs != null) {
      subs.remove(c);
      if (subs.isEmpty()) {
        channels.remove(k);
      }
    }
    return true;
  }

  public boolean psubscribe(Client c, byte[] pattern) {
    ByteKey k = new ByteKey(pattern);
    if (!c.patterns.add(k)) {
      return false;
    }
    patterns.computeIfAbsent(k, x -> new LinkedHashSet<>()).add(c);
    return true;
  }

  public boolean punsubscribe(Client c, byte[] pattern) {
    ByteKey k = new ByteKey(pattern);
    if (!c.patterns.remove(k)) {
      return false;
    }
    Set<Client> subs = patterns.get(k);
    if (subs != null) {
      subs.remove(c);
      if (subs.isEmpty()) {
        patterns.remove(k);
      }
    }
    return true;
  }

  /** Drops every subscription of a client that is going away (no replies). */
  void removeClient(Client c) {
    for (ByteKey k : new ArrayList<>(c.channels)) {
      unsubscribe(c, k.bytes);
    }
    for (ByteKey k : new ArrayList<>(c.patterns)) {
      punsubscribe(c, k.bytes);
    }
  }

  /** Delivers a message; returns the number of receivers (channel plus pattern matches). */
  public long publish(byte[] channel, byte[] message) {
    long receivers = 0;
    Set<Client> subs = channels.get(new ByteKey(channel));
    if (subs != null) {
      for (Client c : subs) {
        ByteBuf b = c.pushBuf();
        RespWriter.pushHeader(b, c.proto, 3);
        RespWriter.bulk(b, MESSAGE);
        RespWriter.bulk(b, channel);
        RespWriter.bulk(b, message);
        server.markPendingWrite(c);
        receivers++;
      }
    }
    if (!patterns.isEmpty()) {
      for (Map.Entry<ByteKey, Set<Client>> e : patterns.entrySet()) {
        byte[] pattern = e.getKey().bytes;
        if (!Glob.match(pattern, channel, false)) {
          continue;
        }
        for (Client c : e.getValue()) {
          ByteBuf b = c.pushBuf();
          RespWriter.pushHeader(b, c.proto, 4);
          RespWriter.bulk(b, PMESSAGE);
          RespWriter.bulk(b, pattern);
          RespWriter.bulk(b, channel);
          RespWriter.bulk(b, message);
          server.markPendingWrite(c);
          receivers++;
        }
      }
    }
    return receivers;
  }

  public List<byte[]> channelNames(byte[] pattern) {
    List<byte[]> out = new ArrayList<>();
    for (ByteKey k : channels.keySet()) {
      if (pattern == null || Glob.match(pattern, k.bytes, false)) {
        out.add(k.bytes);
      }
    }
    return out;
  }

  public long subscribers(byte[] channel) {
    Set<Client> subs = channels.get(new ByteKey(channel));
    return subs == null ? 0 : subs.size();
  }

  public int channelCount() {
    return channels.size();
  }

  public int patternCount() {
    return patterns.size();
  }
}
