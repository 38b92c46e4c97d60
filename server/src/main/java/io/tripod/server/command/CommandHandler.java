package io.tripod.server.command;

import io.tripod.server.Client;

/** The body of a command. Runs on the server's event loop; replies through {@code c}. */
@FunctionalInterface
public interface CommandHandler {
  void execute(Client c, byte[][] argv);
}
