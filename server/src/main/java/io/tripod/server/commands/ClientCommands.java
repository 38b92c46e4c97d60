package io.tripod.server.commands;

import io.tripod.server.Client;
import io.tripod.server.ClientAccess;
import io.tripod.server.Server;
import io.tripod.server.command.CommandSpec;
import io.tripod.server.command.CommandTable;
import io.tripod.server.util.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * CLIENT and its subcommands as Redis 7.0 has them. Server-assisted client-side caching is not
 * implemented: CLIENT TRACKING ON answers an error, OFF/CACHING/GETREDIR/TRACKINGINFO answer as a
 * client that never enabled tracking.
 */
public final class ClientCommands {
  private ClientCommands() {}

  static final int TYPE_NORMAL = 0;
  static final int TYPE_REPLICA = 1;
  static final int TYPE_PUBSUB = 2;
  static final int TYPE_MASTER = 3;

  static void register(CommandTable t) {
    CommandSpec p = t.add("client", -2, "", 0, 0, 0, "slow", null);
    String conn = "noscript loading stale";
    String admin = "admin noscript loading stale";
    t.sub(p, "caching", 3, conn, 0, 0, 0, "slow connection", ClientCommands::caching);
    t.sub(p, "getname", 2, conn, 0, 0, 0, "slow connection", ClientCommands::getname);
    t.sub(p, "getredir", 2, conn, 0, 0, 0, "slow connection", (c, a) -> c.integer(-1));
    t.sub(p, "id", 2, conn, 0, 0, 0, "slow connection", (c, a) -> c.integer(c.id));
    t.sub(p, "info", 2, conn, 0, 0, 0, "slow connection", ClientCommands::info);
    t.sub(p, "kill", -3, admin, 0, 0, 0, "admin slow dangerous connection", ClientCommands::kill);
    t.sub(p, "list", -2, admin, 0, 0, 0, "admin slow dangerous connection", ClientCommands::list);
    t.sub(p, "no-evict", 3, admin, 0, 0, 0, "admin slow dangerous connection",
        ClientCommands::noEvict);
    t.sub(p, "pause", -3, admin, 0, 0, 0, "admin slow dangerous connection", ClientCommands::pause);
    t.sub(p, "reply", 3, conn, 0, 0, 0, "slow connection", ClientCommands::reply);
    t.sub(p, "setname", 3, conn, 0, 0, 0, "slow connection", ClientCommands::setname);
    t.sub(p, "tracking", -3, conn, 0, 0, 0, "slow connection", ClientCommands::tracking);
    t.sub(p, "trackinginfo", 2, conn, 0, 0, 0, "slow connection", ClientCommands::trackinginfo);
    t.sub(p, "unblock", -3, admin, 0, 0, 0, "admin slow dangerous connection",
        ClientCommands::unblock);
    t.sub(p, "unpause", 2, admin, 0, 0, 0, "admin slow dangerous connection", (c, a) -> {
      c.server.unpause();
      c.ok();
    });
    t.sub(p, "help", 2, "loading stale", 0, 0, 0, "slow connection",
        (c, a) -> Help.reply(c, "client"));
  }

  // ---- simple subcommands --------------------------------------------------------------------

  static void getname(Client c, byte[][] a) {
    c.bulkOrNull(c.name);
  }

  static void setname(Client c, byte[][] a) {
    String err = ClientNames.validate(a[2]);
    if (err != null) {
      c.err(err);
      return;
    }
    c.name = a[2].length == 0 ? null : a[2];
    c.ok();
  }

  static void reply(Client c, byte[][] a) {
    if (Args.is(a[2], "on")) {
      c.replyMode = Client.ReplyMode.ON;
      c.ok();
    } else if (Args.is(a[2], "off")) {
      c.replyMode = Client.ReplyMode.OFF;
    } else if (Args.is(a[2], "skip")) {
      if (c.replyMode != Client.ReplyMode.OFF) {
        c.replyMode = Client.ReplyMode.SKIP_NEXT;
      }
    } else {
      c.syntaxError();
    }
  }

  static void noEvict(Client c, byte[][] a) {
    if (Args.is(a[2], "on")) {
      c.noEvict = true;
      c.ok();
    } else if (Args.is(a[2], "off")) {
      c.noEvict = false;
      c.ok();
    } else {
      c.syntaxError();
    }
  }

  static void caching(Client c, byte[][] a) {
    c.err("CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or "
        + "OPTOUT mode enabled");
  }

  static void tracking(Client c, byte[][] a) {
    if (Args.is(a[2], "off")) {
      for (int j = 3; j < a.length; j++) {
        boolean more = j + 1 < a.length;
        if (Args.is(a[j], "redirect") && more) {
          j++;
        } else if (Args.is(a[j], "prefix") && more) {
          j++;
        } else if (!Args.is(a[j], "bcast") && !Args.is(a[j], "optin") && !Args.is(a[j], "optout")
            && !Args.is(a[j], "noloop")) {
          c.syntaxError();
          return;
        }
      }
      c.ok();
    } else if (Args.is(a[2], "on")) {
      c.err("CLIENT TRACKING ON is not supported by this server");
    } else {
      c.syntaxError();
    }
  }

  static void trackinginfo(Client c, byte[][] a) {
    c.map(3);
    c.bulk("flags");
    c.set(1);
    c.bulk("off");
    c.bulk("redirect");
    c.integer(-1);
    c.bulk("prefixes");
    c.array(0);
  }

  // ---- CLIENT PAUSE / UNBLOCK ----------------------------------------------------------------

  static void pause(Client c, byte[][] a) {
    if (a.length > 4) {
      Help.subcommandSyntaxError(c, "CLIENT", a[1]);
      return;
    }
    boolean writesOnly = false;
    if (a.length == 4) {
      if (Args.is(a[3], "write")) {
        writesOnly = true;
      } else if (!Args.is(a[3], "all")) {
        c.err("CLIENT PAUSE mode must be WRITE or ALL");
        return;
      }
    }
    long timeout = timeoutMillis(c, a[2]);
    if (timeout == Args.BAD) {
      return;
    }
    Server s = c.server;
    s.pauseUntilMillis = timeout > 0 ? s.clock.millis() + timeout : 0;
    s.pauseWritesOnly = writesOnly;
    c.ok();
  }

  /** Redis's getTimeoutFromObjectOrReply in milliseconds (relative). */
  static long timeoutMillis(Client c, byte[] arg) {
    Long v = Bytes.parseLongOrNull(arg);
    if (v == null) {
      c.err("timeout is not an integer or out of range");
      return Args.BAD;
    }
    if (v < 0) {
      c.err("timeout is negative");
      return Args.BAD;
    }
    return v;
  }

  static void unblock(Client c, byte[][] a) {
    if (a.length > 4) {
      Help.subcommandSyntaxError(c, "CLIENT", a[1]);
      return;
    }
    boolean withError = false;
    if (a.length == 4) {
      if (Args.is(a[3], "error")) {
        withError = true;
      } else if (!Args.is(a[3], "timeout")) {
        c.err("CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
        return;
      }
    }
    long id = Args.longOrReply(c, a[2]);
    if (id == Args.BAD) {
      return;
    }
    Client target = c.server.client(id);
    c.integer(target != null && c.server.unblockClient(target, withError) ? 1 : 0);
  }

  // ---- CLIENT LIST / INFO --------------------------------------------------------------------

  static int typeByName(byte[] name) {
    String n = Bytes.lower(name);
    switch (n) {
      case "normal": return TYPE_NORMAL;
      case "slave":
      case "replica": return TYPE_REPLICA;
      case "pubsub": return TYPE_PUBSUB;
      case "master": return TYPE_MASTER;
      default: return -1;
    }
  }

  static int typeOf(Client c) {
    if (c.isMaster) {
      return TYPE_MASTER;
    }
    if (c.isReplica && !ClientAccess.isMonitor(c)) {
      return TYPE_REPLICA;
    }
    if (c.isPubSub()) {
      return TYPE_PUBSUB;
    }
    return TYPE_NORMAL;
  }

  static void info(Client c, byte[][] a) {
    StringBuilder sb = new StringBuilder(256);
    appendInfo(sb, c, c);
    sb.append('\n');
    c.verbatim(sb.toString());
  }

  static void list(Client c, byte[][] a) {
    StringBuilder sb = new StringBuilder(256);
    if (a.length == 4 && Args.is(a[2], "type")) {
      int type = typeByName(a[3]);
      if (type == -1) {
        c.err("Unknown client type '" + Bytes.str(a[3]) + "'");
        return;
      }
      for (Client o : c.server.clients()) {
        if (typeOf(o) == type) {
          appendInfo(sb, o, c);
          sb.append('\n');
        }
      }
    } else if (a.length > 3 && Args.is(a[2], "id")) {
      for (int j = 3; j < a.length; j++) {
        long id = Args.longOrReply(c, a[j], "Invalid client ID");
        if (id == Args.BAD) {
          return;
        }
        Client o = c.server.client(id);
        if (o != null) {
          appendInfo(sb, o, c);
          sb.append('\n');
        }
      }
    } else if (a.length != 2) {
      c.syntaxError();
      return;
    } else {
      for (Client o : c.server.clients()) {
        appendInfo(sb, o, c);
        sb.append('\n');
      }
    }
    c.verbatim(sb.toString());
  }

  /** A rough per-client memory figure for tot-mem and INFO mem_clients_normal. */
  static long totalMemory(Client c) {
    return 1024 + ClientAccess.queryBufferBytes(c) + ClientAccess.outputBytesPending(c);
  }

  /** One CLIENT LIST line (Redis 7.0's catClientInfoString), without the newline. */
  public static void appendInfo(StringBuilder sb, Client o, Client self) {
    Server s = o.server;
    long now = s.clock.millis();
    StringBuilder flags = new StringBuilder();
    boolean monitor = ClientAccess.isMonitor(o);
    if (monitor) {
      flags.append('O');
    } else if (o.isReplica) {
      flags.append('S');
    }
    if (o.isMaster) {
      flags.append('M');
    }
    if (o.isPubSub()) {
      flags.append('P');
    }
    if (o.inMulti) {
      flags.append('x');
    }
    if (o.blockedOn != null) {
      flags.append('b');
    }
    if (o.dirtyCas) {
      flags.append('d');
    }
    if (o.closeAfterReply) {
      flags.append('c');
    }
    if (o.closeAsap) {
      flags.append('A');
    }
    if (o.noEvict) {
      flags.append('e');
    }
    if (flags.length() == 0) {
      flags.append('N');
    }
    long argvMem = 0;
    long multiMem = 0;
    for (byte[][] q : o.multiQueue) {
      for (byte[] arg : q) {
        multiMem += arg.length;
      }
    }
    String cmd = o.lastCommand == null ? "NULL" : o.lastCommand.fullName;
    sb.append("id=").append(o.id)
        .append(" addr=").append(o.addr())
        .append(" laddr=").append(o.laddr())
        .append(" fd=").append(ClientAccess.fd(o))
        .append(" name=").append(o.name == null ? "" : new String(o.name, StandardCharsets.UTF_8))
        .append(" age=").append((now - ClientAccess.createdMillis(o)) / 1000)
        .append(" idle=").append((now - ClientAccess.lastInteractionMillis(o)) / 1000)
        .append(" flags=").append(flags)
        .append(" db=").append(o.db.id)
        .append(" sub=").append(o.channels.size())
        .append(" psub=").append(o.patterns.size())
        .append(" ssub=0")
        .append(" multi=").append(o.inMulti ? o.multiQueue.size() : -1)
        .append(" qbuf=").append(ClientAccess.queryBufferBytes(o))
        .append(" qbuf-free=0")
        .append(" argv-mem=").append(argvMem)
        .append(" multi-mem=").append(multiMem)
        .append(" rbs=1024")
        .append(" rbp=0")
        .append(" obl=0")
        .append(" oll=").append(ClientAccess.outputListLength(o))
        .append(" omem=").append(ClientAccess.outputBytesPending(o))
        .append(" tot-mem=").append(totalMemory(o))
        .append(" events=r")
        .append(" cmd=").append(cmd)
        .append(" user=default")
        .append(" redir=-1")
        .append(" resp=").append(o.proto);
  }

  // ---- CLIENT KILL ---------------------------------------------------------------------------

  static void kill(Client c, byte[][] a) {
    String addr = null;
    String laddr = null;
    int type = -1;
    long id = 0;
    boolean skipme = true;
    if (a.length == 3) {
      addr = Bytes.str(a[2]);
      skipme = false;
    } else {
      for (int i = 2; i < a.length; i += 2) {
        boolean more = a.length > i + 1;
        if (Args.is(a[i], "id") && more) {
          Long v = Bytes.parseLongOrNull(a[i + 1]);
          if (v == null || v < 1) {
            c.err("client-id should be greater than 0");
            return;
          }
          id = v;
        } else if (Args.is(a[i], "type") && more) {
          type = typeByName(a[i + 1]);
          if (type == -1) {
            c.err("Unknown client type '" + Bytes.str(a[i + 1]) + "'");
            return;
          }
        } else if (Args.is(a[i], "addr") && more) {
          addr = Bytes.str(a[i + 1]);
        } else if (Args.is(a[i], "laddr") && more) {
          laddr = Bytes.str(a[i + 1]);
        } else if (Args.is(a[i], "user") && more) {
          if (!Bytes.str(a[i + 1]).equals("default")) {
            c.err("No such user '" + Bytes.str(a[i + 1]) + "'");
            return;
          }
        } else if (Args.is(a[i], "skipme") && more) {
          if (Args.is(a[i + 1], "yes")) {
            skipme = true;
          } else if (Args.is(a[i + 1], "no")) {
            skipme = false;
          } else {
            c.syntaxError();
            return;
          }
        } else {
          c.syntaxError();
          return;
        }
      }
    }
    List<Client> victims = new ArrayList<>();
    boolean killSelf = false;
    for (Client o : c.server.clients()) {
      if (addr != null && !addr.equals(o.addr())) {
        continue;
      }
      if (laddr != null && !laddr.equals(o.laddr())) {
        continue;
      }
      if (type != -1 && typeOf(o) != type) {
        continue;
      }
      if (id != 0 && o.id != id) {
        continue;
      }
      if (o == c && skipme) {
        continue;
      }
      if (o == c) {
        killSelf = true;
      } else {
        victims.add(o);
      }
    }
    for (Client o : victims) {
      c.server.freeClient(o);
      if (o.channel() != null) {
        o.channel().close();
      }
    }
    long killed = victims.size() + (killSelf ? 1 : 0);
    if (a.length == 3) {
      if (killed == 0) {
        c.err("No such client");
      } else {
        c.ok();
      }
    } else {
      c.integer(killed);
    }
    if (killSelf) {
      c.closeAfterReply = true;
    }
  }
}
