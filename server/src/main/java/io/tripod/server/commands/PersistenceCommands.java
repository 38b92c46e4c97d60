package io.tripod.server.commands;

import io.tripod.server.Client;
import io.tripod.server.Server;
import io.tripod.server.command.CommandTable;
import io.tripod.server.persist.RdbPersistence;
import java.io.BufferedInputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;

/** SAVE, BGSAVE, and the persistence parts of SHUTDOWN and DEBUG RELOAD. */
final class PersistenceCommands {
  private PersistenceCommands() {}

  static void register(CommandTable t) {
    t.add("save", 1, "admin noscript no_async_loading no_multi", 0, 0, 0, "admin slow dangerous",
        PersistenceCommands::save);
    t.add("bgsave", -1, "admin noscript no_async_loading", 0, 0, 0, "admin slow dangerous",
        PersistenceCommands::bgsave);
    t.add("bgrewriteaof", 1, "admin noscript no_async_loading", 0, 0, 0, "admin slow dangerous",
        PersistenceCommands::bgrewriteaof);
    ServerCommands.shutdownSave = PersistenceCommands::shutdownSave;
    DebugCommands.reloadHandler = PersistenceCommands::debugReload;
  }

  static void save(Client c, byte[][] a) {
    RdbPersistence rdb = c.server.rdb;
    if (rdb.bgsaveInProgress() || c.server.snapshot != null) {
      c.err("Background save already in progress");
      return;
    }
    if (rdb.saveNow()) {
      c.ok();
    } else {
      c.err("");
    }
  }

  static void bgsave(Client c, byte[][] a) {
    boolean schedule = false;
    if (a.length > 1) {
      if (a.length == 2 && Args.is(a[1], "schedule")) {
        schedule = true;
      } else {
        c.syntaxError();
        return;
      }
    }
    switch (c.server.rdb.bgsave(schedule)) {
      case STARTED:
        c.simple("Background saving started");
        break;
      case SCHEDULED:
        c.simple("Background saving scheduled");
        break;
      default:
        c.err("Background save already in progress");
        break;
    }
  }

  static void bgrewriteaof(Client c, byte[][] a) {
    String r = c.server.aof.rewrite(true);
    if (r == null) {
      c.simple("Background append only file rewriting started");
    } else if (r.equals("SCHEDULED")) {
      c.simple("Background append only file rewriting scheduled");
    } else {
      c.error(r);
    }
  }

  /**
   * SHUTDOWN's save decision: {@code TRUE} = SAVE given, {@code FALSE} = NOSAVE, null = save only
   * if save points are configured (Redis's default). Returns false when a needed save failed (the
   * shutdown is then refused, unless FORCE).
   */
  static boolean shutdownSave(Server s, Boolean save) {
    boolean wanted = save != null ? save : !s.config.save.isEmpty();
    if (!wanted) {
      return true;
    }
    return s.rdb.saveNow();
  }

  /** DEBUG RELOAD: save, empty, load the file back (Redis's quick consistency check). */
  static void debugReload(Client c, byte[][] a) {
    Server s = c.server;
    if (!s.rdb.saveNow()) {
      c.err("Error trying to save the DB");
      return;
    }
    s.flush(-1);
    try (InputStream in = new BufferedInputStream(new FileInputStream(s.rdb.file()), 1 << 20)) {
      io.tripod.server.repl.RdbLoader.load(s, in, true);
    } catch (IOException | RuntimeException e) {
      c.err("Error trying to load the RDB dump, check server logs.");
      return;
    }
    c.ok();
  }
}
