package io.tripod.server.commands;

import io.tripod.server.Client;
import io.tripod.server.Server;
import io.tripod.server.command.CommandTable;
import io.tripod.server.repl.Replica;
import io.tripod.server.repl.ReplicaLink;
import io.tripod.server.repl.Replication;
import io.tripod.server.util.Bytes;
import java.util.ArrayList;
import java.util.List;

/** SYNC, PSYNC, REPLCONF, REPLICAOF/SLAVEOF, ROLE, WAIT ({@code replication.c}). */
final class ReplicationCommands {
  private ReplicationCommands() {}

  static void register(CommandTable t) {
    t.add("sync", 1, "admin noscript no_async_loading no_multi", 0, 0, 0, "admin slow dangerous",
        (c, a) -> c.server.repl.sync(c, a));
    t.add("psync", -3, "admin noscript no_async_loading no_multi", 0, 0, 0, "admin slow dangerous",
        (c, a) -> c.server.repl.sync(c, a));
    t.add("replconf", -1, "admin noscript loading stale allow_busy", 0, 0, 0, "admin slow dangerous",
        (c, a) -> c.server.repl.replconf(c, a));
    t.add("replicaof", 3, "admin noscript stale no_async_loading", 0, 0, 0, "admin slow dangerous",
        ReplicationCommands::replicaof);
    t.add("slaveof", 3, "admin noscript stale no_async_loading", 0, 0, 0, "admin slow dangerous",
        ReplicationCommands::replicaof);
    // ROLE and WAIT are registered with their metadata by ServerCommands; replication supplies
    // their behaviour, and the replication section of INFO.
    ServerCommands.roleHandler = ReplicationCommands::role;
    ServerCommands.waitHandler = ReplicationCommands::waitCommand;
    InfoCommand.replicationSection = s -> "# Replication\r\n" + s.repl.info();
  }

  /** REPLICAOF host port | NO ONE (Redis's replicaofCommand). */
  static void replicaof(Client c, byte[][] a) {
    Replication repl = c.server.repl;
    if (Args.is(a[1], "no") && Args.is(a[2], "one")) {
      if (repl.link != null) {
        repl.unsetMaster();
      }
      c.ok();
      return;
    }
    if (c.isReplica) {
      c.err("Command is not valid when client is a replica.");
      return;
    }
    Long port = Bytes.parseLongOrNull(a[2]);
    if (port == null || port < 0 || port > 65535) {
      c.err("Invalid master port");
      return;
    }
    String host = Bytes.str(a[1]);
    if (repl.link != null && repl.link.host.equalsIgnoreCase(host) && repl.link.port == port) {
      c.simple("OK Already connected to specified master");
      return;
    }
    repl.setMaster(host, port.intValue());
    c.ok();
  }

  /** ROLE: master, replica or (in sentinel mode) sentinel form; see shared/reference/info-and-role.md. */
  static void role(Client c, byte[][] a) {
    Replication repl = c.server.repl;
    ReplicaLink link = repl.link;
    if (link == null) {
      List<Replica> online = new ArrayList<>();
      for (Replica r : repl.replicas) {
        if (r.state == Replica.State.ONLINE) {
          online.add(r);
        }
      }
      c.array(3);
      c.bulk("master");
      c.integer(repl.masterReplOffset());
      c.array(online.size());
      for (Replica r : online) {
        c.array(3);
        c.bulk(r.announcedIp());
        c.bulk(Integer.toString(r.listeningPort));
        c.bulk(Long.toString(r.ackOffset));
      }
      return;
    }
    c.array(5);
    c.bulk("slave");
    c.bulk(link.host);
    c.integer(link.port);
    c.bulk(link.state().roleName);
    c.integer(link.roleOffset());
  }

  static void waitCommand(Client c, byte[][] a) {
    Server s = c.server;
    if (s.repl.link != null) {
      c.err("WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a "
          + "replica is configured to be writable (which is not the default) writes to replicas are "
          + "just local and are not propagated.");
      return;
    }
    long n = Args.longOrReply(c, a[1]);
    if (n == Args.BAD) {
      return;
    }
    Long timeout = Bytes.parseLongOrNull(a[2]);
    if (timeout == null) {
      c.err("timeout is not an integer or out of range");
      return;
    }
    if (timeout < 0) {
      c.err("timeout is negative");
      return;
    }
    s.waiters.waitCommand(c, (int) Math.min(n, Integer.MAX_VALUE), timeout);
  }
}
