package io.tripod.server.command;

import io.tripod.server.util.Bytes;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every command the server knows, by lower-case name. Families register themselves ({@code
 * StringCommands.register(table)} and so on); the table is filled once at start and read-only
 * after.
 */
public final class CommandTable {
  private final Map<String, CommandSpec> commands = new LinkedHashMap<>();
  /** Fast path: exact-case lookups of the bytes a client sent (no String made per command). */
  private final io.tripod.server.db.Dict<CommandSpec> cache = new io.tripod.server.db.Dict<>();

  /**
   * Registers a command.
   *
   * @param flags space-separated Redis flag names ("write denyoom fast")
   * @param acl space-separated ACL categories without {@code @} ("write string fast")
   */
  public CommandSpec add(
      String name, int arity, String flags, int firstKey, int lastKey, int step, String acl,
      CommandHandler handler) {
    CommandSpec spec =
        new CommandSpec(name, null, arity, CommandFlags.parse(flags), firstKey, lastKey, step,
            split(acl), handler);
    if (commands.put(name, spec) != null) {
      throw new IllegalStateException("duplicate command " + name);
    }
    return spec;
  }

  /** Registers a subcommand ({@code CONFIG GET}) under a container registered with add. */
  public CommandSpec sub(
      CommandSpec parent, String name, int arity, String flags, int firstKey, int lastKey,
      int step, String acl, CommandHandler handler) {
    CommandSpec spec =
        new CommandSpec(name, parent, arity, CommandFlags.parse(flags), firstKey, lastKey, step,
            split(acl), handler);
    parent.subcommands.put(name, spec);
    return spec;
  }

  private static String[] split(String s) {
    s = s.trim();
    return s.isEmpty() ? new String[0] : s.split("\\s+");
  }

  public CommandSpec lookup(byte[] name) {
    CommandSpec spec = cache.get(name);
    if (spec == null) {
      spec = commands.get(Bytes.lower(name));
      if (spec != null && cache.size() < 10_000) {
        cache.put(name.clone(), spec);
      }
    }
    return spec;
  }

  public CommandSpec lookup(String lowerName) {
    return commands.get(lowerName);
  }

  public Collection<CommandSpec> all() {
    return commands.values();
  }

  public int size() {
    return commands.size();
  }
}
