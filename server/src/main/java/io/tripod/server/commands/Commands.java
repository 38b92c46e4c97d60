package io.tripod.server.commands;

import io.tripod.server.command.CommandTable;

/** Registers every command family. Each family owns its own file; add new ones here. */
public final class Commands {
  private Commands() {}

  public static void registerAll(CommandTable t) {
    ConnectionCommands.register(t);
    StringCommands.register(t);
    KeyCommands.register(t);
    ConfigCommands.register(t);
  }
}
