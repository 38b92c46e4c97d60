package io.tripod.server.commands;

import io.tripod.resp.RespWriter;
import io.tripod.server.Client;
import io.tripod.server.Client.ByteKey;
import io.tripod.server.PubSub;
import io.tripod.server.command.CommandSpec;
import io.tripod.server.command.CommandTable;
import io.tripod.server.util.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, SSUBSCRIBE, SUNSUBSCRIBE, PUBLISH, SPUBLISH,
 * PUBSUB and RESET (Redis 7.0's {@code pubsub.c} and {@code resetCommand}).
 *
 * <p>Every (un)subscription is confirmed by its own reply {@code [kind, channel, count]}: an array
 * in RESP2, a push ({@code >}) in RESP3. The count of SUBSCRIBE/PSUBSCRIBE (and their unsubscribes)
 * is channels plus patterns; that of the shard commands is shard channels only. Shard channels
 * (standalone mode) are plain channels in a namespace of their own.
 *
 * <p>Event-loop owned, like every command.
 */
final class PubSubCommands {
  private PubSubCommands() {}

  private static final byte[] SUBSCRIBE = Bytes.of("subscribe");
  private static final byte[] UNSUBSCRIBE = Bytes.of("unsubscribe");
  private static final byte[] PSUBSCRIBE = Bytes.of("psubscribe");
  private static final byte[] PUNSUBSCRIBE = Bytes.of("punsubscribe");
  private static final byte[] SSUBSCRIBE = Bytes.of("ssubscribe");
  private static final byte[] SUNSUBSCRIBE = Bytes.of("sunsubscribe");

  private static final String[] HELP = {
    "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CHANNELS [<pattern>]",
    "    Return the currently active channels matching a <pattern> (default: '*').",
    "NUMPAT",
    "    Return number of subscriptions to patterns.",
    "NUMSUB [<channel> ...]",
    "    Return the number of subscribers for the specified channels, excluding",
    "    pattern subscriptions(default: no channels).",
    "SHARDCHANNELS [<pattern>]",
    "    Return the currently active shard level channels matching a <pattern> (default: '*').",
    "SHARDNUMSUB [<shardchannel> ...]",
    "    Return the number of subscribers for the specified shard level channel(s)",
    "HELP",
    "    Prints this help."
  };

  static void register(CommandTable t) {
    String sub = "pubsub noscript loading stale";
    t.add("subscribe", -2, sub, 0, 0, 0, "pubsub slow", PubSubCommands::subscribe);
    t.add("unsubscribe", -1, sub, 0, 0, 0, "pubsub slow", PubSubCommands::unsubscribe);
    t.add("psubscribe", -2, sub, 0, 0, 0, "pubsub slow", PubSubCommands::psubscribe);
    t.add("punsubscribe", -1, sub, 0, 0, 0, "pubsub slow", PubSubCommands::punsubscribe);
    t.add("ssubscribe", -2, sub, 1, -1, 1, "pubsub slow", PubSubCommands::ssubscribe);
    t.add("sunsubscribe", -1, sub, 1, -1, 1, "pubsub slow", PubSubCommands::sunsubscribe);
    t.add("publish", 3, "pubsub loading stale fast", 0, 0, 0, "pubsub fast",
        (c, a) -> c.integer(c.server.pubsub.publish(a[1], a[2])));
    t.add("spublish", 3, "pubsub loading stale fast", 1, 1, 1, "pubsub fast",
        (c, a) -> c.integer(c.server.pubsub.spublish(a[1], a[2])));
    CommandSpec p = t.add("pubsub", -2, "", 0, 0, 0, "slow", (c, a) -> {});
    String ps = "pubsub loading stale";
    t.sub(p, "help", 2, "loading stale", 0, 0, 0, "slow", PubSubCommands::help);
    t.sub(p, "channels", -2, ps, 0, 0, 0, "pubsub slow", (c, a) -> channels(c, a, false));
    t.sub(p, "numsub", -2, ps, 0, 0, 0, "pubsub slow", (c, a) -> numsub(c, a, false));
    t.sub(p, "numpat", 2, ps, 0, 0, 0, "pubsub slow",
        (c, a) -> c.integer(c.server.pubsub.patternCount()));
    t.sub(p, "shardchannels", -2, ps, 0, 0, 0, "pubsub slow", (c, a) -> channels(c, a, true));
    t.sub(p, "shardnumsub", -2, ps, 0, 0, 0, "pubsub slow", (c, a) -> numsub(c, a, true));
    t.add("reset", 1, "noscript loading stale fast no_auth allow_busy", 0, 0, 0,
        "fast connection", PubSubCommands::reset);
  }

  /** One confirmation: {@code [kind, channel-or-null, count]}, a push in RESP3. */
  private static void confirm(Client c, byte[] kind, byte[] channel, long count) {
    RespWriter.pushHeader(c.buf(), c.proto, 3);
    c.bulk(kind);
    c.bulkOrNull(channel);
    c.integer(count);
  }

  static void subscribe(Client c, byte[][] a) {
    PubSub ps = c.server.pubsub;
    for (int i = 1; i < a.length; i++) {
      ps.subscribe(c, a[i]);
      confirm(c, SUBSCRIBE, a[i], c.subscriptionCount());
    }
  }

  static void psubscribe(Client c, byte[][] a) {
    PubSub ps = c.server.pubsub;
    for (int i = 1; i < a.length; i++) {
      ps.psubscribe(c, a[i]);
      confirm(c, PSUBSCRIBE, a[i], c.subscriptionCount());
    }
  }

  static void ssubscribe(Client c, byte[][] a) {
    // Redis 7.0 refuses SSUBSCRIBE for a client that must not block, which includes EXEC (unlike
    // SUBSCRIBE and PSUBSCRIBE, which keep a backward-compatible exception for MULTI).
    if (c.inMulti) {
      c.err("SSUBSCRIBE isn't allowed for a DENY BLOCKING client");
      return;
    }
    PubSub ps = c.server.pubsub;
    for (int i = 1; i < a.length; i++) {
      ps.ssubscribe(c, a[i]);
      confirm(c, SSUBSCRIBE, a[i], c.shardChannels.size());
    }
  }

  static void unsubscribe(Client c, byte[][] a) {
    PubSub ps = c.server.pubsub;
    List<byte[]> names = a.length > 1 ? args(a) : snapshot(c.channels);
    if (names.isEmpty()) {
      confirm(c, UNSUBSCRIBE, null, c.subscriptionCount());
      return;
    }
    for (byte[] ch : names) {
      ps.unsubscribe(c, ch);
      confirm(c, UNSUBSCRIBE, ch, c.subscriptionCount());
    }
  }

  static void punsubscribe(Client c, byte[][] a) {
    PubSub ps = c.server.pubsub;
    List<byte[]> names = a.length > 1 ? args(a) : snapshot(c.patterns);
    if (names.isEmpty()) {
      confirm(c, PUNSUBSCRIBE, null, c.subscriptionCount());
      return;
    }
    for (byte[] p : names) {
      ps.punsubscribe(c, p);
      confirm(c, PUNSUBSCRIBE, p, c.subscriptionCount());
    }
  }

  static void sunsubscribe(Client c, byte[][] a) {
    PubSub ps = c.server.pubsub;
    List<byte[]> names = a.length > 1 ? args(a) : snapshot(c.shardChannels);
    if (names.isEmpty()) {
      confirm(c, SUNSUBSCRIBE, null, c.shardChannels.size());
      return;
    }
    for (byte[] ch : names) {
      ps.sunsubscribe(c, ch);
      confirm(c, SUNSUBSCRIBE, ch, c.shardChannels.size());
    }
  }

  private static List<byte[]> args(byte[][] a) {
    List<byte[]> out = new ArrayList<>(a.length - 1);
    for (int i = 1; i < a.length; i++) {
      out.add(a[i]);
    }
    return out;
  }

  private static List<byte[]> snapshot(Iterable<ByteKey> keys) {
    List<byte[]> out = new ArrayList<>();
    for (ByteKey k : keys) {
      out.add(k.bytes);
    }
    return out;
  }

  static void help(Client c, byte[][] a) {
    c.array(HELP.length);
    for (String line : HELP) {
      c.simple(line);
    }
  }

  static void channels(Client c, byte[][] a, boolean shard) {
    if (a.length > 3) {
      subcommandSyntaxError(c, a);
      return;
    }
    byte[] pattern = a.length == 3 ? a[2] : null;
    PubSub ps = c.server.pubsub;
    c.bulks(shard ? ps.shardChannelNames(pattern) : ps.channelNames(pattern));
  }

  static void numsub(Client c, byte[][] a, boolean shard) {
    PubSub ps = c.server.pubsub;
    c.array((a.length - 2) * 2L);
    for (int i = 2; i < a.length; i++) {
      c.bulk(a[i]);
      c.integer(shard ? ps.shardSubscribers(a[i]) : ps.subscribers(a[i]));
    }
  }

  /** Redis's addReplySubcommandSyntaxError: the names as the client typed them. */
  static void subcommandSyntaxError(Client c, byte[][] a) {
    String cmd = new String(a[0], StandardCharsets.UTF_8).toUpperCase(Locale.ROOT);
    String sub = new String(a[1], StandardCharsets.UTF_8);
    if (sub.length() > 128) {
      sub = sub.substring(0, 128);
    }
    c.err("unknown subcommand or wrong number of arguments for '" + sub + "'. Try " + cmd
        + " HELP.");
  }

  /**
   * RESET (Redis's clearClientConnectionState): leaves MONITOR, discards MULTI and every WATCH,
   * selects db 0, back to RESP2 and the default (maybe unauthenticated) user, drops every
   * subscription without replies, clears the name and CLIENT REPLY; answers {@code +RESET}.
   */
  static void reset(Client c, byte[][] a) {
    if (c.monitor) {
      c.server.removeMonitor(c);
      c.monitor = false;
    }
    c.db = c.server.db(0);
    c.proto = 2;
    c.authenticated = c.server.config.requirepass.isEmpty();
    c.server.discardTransaction(c);
    c.server.pubsub.removeClient(c);
    c.name = null;
    c.replyMode = Client.ReplyMode.ON;
    c.simple("RESET");
  }
}
