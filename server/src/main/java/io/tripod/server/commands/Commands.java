package io.tripod.server.commands;

import io.tripod.server.command.CommandTable;

/** Registers every command family. Each family owns its own file; add new ones here. */
public final class Commands {
  private Commands() {}

  public static void registerAll(CommandTable t) {
    TypeWiring.register();
    ConnectionCommands.register(t);
    StringCommands.register(t);
    Bits.register(t);
    KeyCommands.register(t);
    ReplicationCommands.register(t);
    HyperLogLogCommands.register(t);
    SortCommands.register(t);
    GeoCommands.register(t);
    ListCommands.register(t);
    HashCommands.register(t);
    SetCommands.register(t);
    TransactionCommands.register(t);
    PubSubCommands.register(t);
    InfoCommand.register(t);
    ClientCommands.register(t);
    CommandCommand.register(t);
    ServerCommands.register(t);
    DebugCommands.register(t);
    PersistenceCommands.register(t);
    ConfigCommands.register(t);
    ZSetCommands.register(t);
    StreamCommands.register(t);
    DumpCommands.register(t);
    if (t.lookup("info") == null) {
      // Until the full INFO command is registered: the replication section alone.
      t.add("info", -1, "loading stale sentinel", 0, 0, 0, "slow dangerous",
          (c, a) -> c.verbatim("# Replication\r\n" + c.server.repl.info()));
    }
  }
}
