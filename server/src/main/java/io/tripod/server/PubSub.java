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
  private static final byte[] SMESSAGE = RespWriter.ascii("smessage");

  private final Server server;
  final Map<ByteKey, Set<Client>> channels = new LinkedHashMap<>();
  final Map<ByteKey, Set<Client>> patterns = new LinkedHashMap<>();
  /**
   * Shard channels (Redis 7.0's {@code pubsubshard_channels}). In standalone mode they behave as
   * plain channels in a namespace of their own: SPUBLISH reaches only SSUBSCRIBErs, no patterns.
   */
  final Map<ByteKey, Set<Client>> shardChannels = new LinkedHashMap<>();

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

  public boolean ssubscribe(Client c, byte[] channel) {
    ByteKey k = new ByteKey(channel);
    if (!c.shardChannels.add(k)) {
      return false;
    }
    shardChannels.computeIfAbsent(k, x -> new LinkedHashSet<>()).add(c);
    return true;
  }

  public boolean sunsubscribe(Client c, byte[] channel) {
    ByteKey k = new ByteKey(channel);
    if (!c.shardChannels.remove(k)) {
      return false;
    }
    Set<Client> subs = shardChannels.get(k);
    if (subs != null) {
      subs.remove(c);
      if (subs.isEmpty()) {
        shardChannels.remove(k);
      }
    }
    return true;
  }

  /**
   * Drops every subscription of a client without replying (a client going away, RESET). Public
   * for RESET in the commands package.
   */
  public void removeClient(Client c) {
    for (ByteKey k : new ArrayList<>(c.channels)) {
      unsubscribe(c, k.bytes);
    }
    for (ByteKey k : new ArrayList<>(c.patterns)) {
      punsubscribe(c, k.bytes);
    }
    for (ByteKey k : new ArrayList<>(c.shardChannels)) {
      sunsubscribe(c, k.bytes);
    }
  }

  /** SPUBLISH: delivers to the shard channel's subscribers only; returns how many. */
  public long spublish(byte[] channel, byte[] message) {
    Set<Client> subs = shardChannels.get(new ByteKey(channel));
    if (subs == null) {
      return 0;
    }
    for (Client c : subs) {
      ByteBuf b = c.pushBuf();
      RespWriter.pushHeader(b, c.proto, 3);
      RespWriter.bulk(b, SMESSAGE);
      RespWriter.bulk(b, channel);
      RespWriter.bulk(b, message);
      server.markPendingWrite(c);
    }
    return subs.size();
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
    return names(channels, pattern);
  }

  public List<byte[]> shardChannelNames(byte[] pattern) {
    return names(shardChannels, pattern);
  }

  private static List<byte[]> names(Map<ByteKey, Set<Client>> map, byte[] pattern) {
    List<byte[]> out = new ArrayList<>();
    for (ByteKey k : map.keySet()) {
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

  public long shardSubscribers(byte[] channel) {
    Set<Client> subs = shardChannels.get(new ByteKey(channel));
    return subs == null ? 0 : subs.size();
  }

  public int channelCount() {
    return channels.size();
  }

  public int patternCount() {
    return patterns.size();
  }

  public int shardChannelCount() {
    return shardChannels.size();
  }
}
