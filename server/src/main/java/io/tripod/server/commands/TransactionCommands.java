package io.tripod.server.commands;

import io.tripod.server.Client;
import io.tripod.server.Server;
import io.tripod.server.command.CommandSpec;
import io.tripod.server.command.CommandTable;
import java.util.ArrayList;
import java.util.List;

/**
 * MULTI, EXEC, DISCARD, WATCH, UNWATCH (Redis 7.0's {@code multi.c}).
 *
 * <p>Queueing happens in {@link Server#process}: inside MULTI every command but EXEC, DISCARD,
 * MULTI, WATCH, QUIT and RESET answers {@code +QUEUED}; a command rejected while queueing (unknown,
 * wrong arity, {@code no_multi}, ...) marks the transaction so that EXEC answers EXECABORT. A
 * WATCHed key touched since WATCH (or, since 7.0, one that was alive at WATCH time and has expired
 * since) makes EXEC answer a null array.
 *
 * <p>Event-loop owned, like every command.
 */
final class TransactionCommands {
  private TransactionCommands() {}

  static void register(CommandTable t) {
    t.add("multi", 1, "noscript loading stale fast allow_busy", 0, 0, 0, "fast transaction",
        TransactionCommands::multi);
    t.add("exec", 1, "noscript loading stale skip_slowlog", 0, 0, 0, "slow transaction",
        TransactionCommands::exec);
    t.add("discard", 1, "noscript loading stale fast allow_busy", 0, 0, 0, "fast transaction",
        TransactionCommands::discard);
    t.add("watch", -2, "noscript loading stale fast allow_busy", 1, -1, 1, "fast transaction",
        TransactionCommands::watch);
    t.add("unwatch", 1, "noscript loading stale fast allow_busy", 0, 0, 0, "fast transaction",
        TransactionCommands::unwatch);
  }

  static void multi(Client c, byte[][] a) {
    if (c.inMulti) {
      c.err("MULTI calls can not be nested");
      return;
    }
    c.inMulti = true;
    c.ok();
  }

  static void discard(Client c, byte[][] a) {
    if (!c.inMulti) {
      c.err("DISCARD without MULTI");
      return;
    }
    c.server.discardTransaction(c);
    c.ok();
  }

  static void exec(Client c, byte[][] a) {
    Server s = c.server;
    if (!c.inMulti) {
      c.err("EXEC without MULTI");
      return;
    }
    if (s.isWatchedKeyExpired(c)) {
      c.dirtyCas = true;
    }
    if (c.dirtyCas || c.dirtyExec) {
      if (c.dirtyExec) {
        c.error("EXECABORT Transaction discarded because of previous errors.");
      } else {
        c.nullArray();
      }
      s.discardTransaction(c);
      return;
    }
    s.unwatchAll(c);
    List<byte[][]> queue = new ArrayList<>(c.multiQueue);
    List<CommandSpec> specs = new ArrayList<>(c.multiSpecs);
    // c.inMulti stays set while the queue runs, as CLIENT_MULTI does in Redis: commands that
    // would block (BLPOP...) see it and answer at once instead.
    c.array(queue.size());
    s.beginExecPropagation();
    try {
      for (int i = 0; i < queue.size(); i++) {
        s.call(c, specs.get(i), queue.get(i));
      }
    } finally {
      s.endExecPropagation();
      s.discardTransaction(c);
    }
    // The inner writes were propagated (wrapped in MULTI/EXEC) by endExecPropagation; EXEC itself
    // must not be propagated again by the call() that runs it.
    c.propagateArgv = new byte[0][];
  }

  static void watch(Client c, byte[][] a) {
    if (c.inMulti) {
      c.err("WATCH inside MULTI is not allowed");
      return;
    }
    for (int i = 1; i < a.length; i++) {
      c.server.watch(c, a[i]);
    }
    c.ok();
  }

  static void unwatch(Client c, byte[][] a) {
    c.server.unwatchAll(c);
    c.dirtyCas = false;
    c.ok();
  }
}
