package io.tripod.server.commands;

import io.tripod.server.Client;
import io.tripod.server.Server;
import io.tripod.server.command.CommandFlags;
import io.tripod.server.command.CommandSpec;
import io.tripod.server.command.CommandTable;
import io.tripod.server.util.Bytes;
import io.tripod.server.util.Glob;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * COMMAND and its subcommands (INFO, DOCS, COUNT, LIST, GETKEYS, GETKEYSANDFLAGS, HELP) over the
 * command table, with key specs, tips and docs from {@link CommandMeta}.
 */
public final class CommandCommand {
  private CommandCommand() {}

  /** Flags COMMAND shows; Redis hides may_replicate, sentinel, only_sentinel, protected... */
  private static final List<String> SHOWN_FLAGS = List.of("write", "readonly", "denyoom",
      "module", "admin", "pubsub", "noscript", "blocking", "loading", "stale", "skip_monitor",
      "skip_slowlog", "asking", "fast", "no_auth", "no_mandatory_keys", "no_async_loading",
      "no_multi", "movablekeys", "allow_busy");

  static void register(CommandTable t) {
    CommandSpec p = t.add("command", -1, "loading stale", 0, 0, 0, "slow connection",
        CommandCommand::all);
    String f = "loading stale";
    String acl = "slow connection";
    t.sub(p, "count", 2, f, 0, 0, 0, acl, (c, a) -> c.integer(c.server.commands.size()));
    t.sub(p, "docs", -2, f, 0, 0, 0, acl, CommandCommand::docs);
    t.sub(p, "getkeys", -4, f, 0, 0, 0, acl, (c, a) -> getkeys(c, a, false));
    t.sub(p, "getkeysandflags", -4, f, 0, 0, 0, acl, (c, a) -> getkeys(c, a, true));
    t.sub(p, "info", -2, f, 0, 0, 0, acl, CommandCommand::info);
    t.sub(p, "list", -2, f, 0, 0, 0, acl, CommandCommand::list);
    t.sub(p, "help", 2, f, 0, 0, 0, acl, (c, a) -> Help.reply(c, "command"));
  }

  /** Looks a command up by name or {@code parent|sub} (lower case). */
  static CommandSpec lookupFullName(Server s, String name) {
    int bar = name.indexOf('|');
    if (bar < 0) {
      return s.commands.lookup(name);
    }
    CommandSpec parent = s.commands.lookup(name.substring(0, bar));
    return parent == null ? null : parent.subcommands.get(name.substring(bar + 1));
  }

  // ---- COMMAND / COMMAND INFO ----------------------------------------------------------------

  static void all(Client c, byte[][] a) {
    if (a.length != 1) {
      // Only reached when the container has no such subcommand; dispatch handles that.
      c.err("unknown subcommand '" + Bytes.str(a[1]) + "'. Try COMMAND HELP.");
      return;
    }
    c.array(c.server.commands.size());
    for (CommandSpec spec : c.server.commands.all()) {
      replyInfo(c, spec);
    }
  }

  static void info(Client c, byte[][] a) {
    if (a.length == 2) {
      all(c, new byte[][] {a[0]});
      return;
    }
    c.array(a.length - 2);
    for (int i = 2; i < a.length; i++) {
      CommandSpec spec = lookupFullName(c.server, Bytes.lower(a[i]));
      if (spec == null) {
        c.nullBulk();
      } else {
        replyInfo(c, spec);
      }
    }
  }

  static List<CommandMeta.KeySpec> keySpecs(CommandSpec spec) {
    CommandMeta.Meta m = CommandMeta.get(spec.fullName);
    if (m != null) {
      return m.keySpecs;
    }
    if (spec.firstKey <= 0) {
      return List.of();
    }
    // A command without metadata: one spec from its legacy key range.
    List<String> flags = spec.has(CommandFlags.WRITE) ? List.of("RW", "update")
        : List.of("RO", "access");
    int last = spec.lastKey < 0 ? spec.lastKey : spec.lastKey - spec.firstKey;
    return List.of(new CommandMeta.KeySpec(flags, "index",
        Map.of("index", String.valueOf(spec.firstKey)), "range",
        new java.util.LinkedHashMap<>(Map.of("lastkey", String.valueOf(last), "keystep",
            String.valueOf(spec.keyStep), "limit", "0")), null));
  }

  static List<String> shownFlags(CommandSpec spec) {
    List<String> out = new ArrayList<>();
    boolean movable = false;
    for (CommandMeta.KeySpec ks : keySpecs(spec)) {
      if (!ks.beginType().equals("index") || !ks.findType().equals("range")) {
        movable = true;
      }
    }
    for (String name : CommandFlags.names(spec.flags)) {
      if (SHOWN_FLAGS.contains(name)) {
        out.add(name);
      }
    }
    if (movable && !out.contains("movablekeys")) {
      out.add("movablekeys");
    }
    return out;
  }

  static void replyInfo(Client c, CommandSpec spec) {
    CommandMeta.Meta m = CommandMeta.get(spec.fullName);
    c.array(10);
    c.bulk(spec.fullName);
    c.integer(spec.arity);
    List<String> flags = shownFlags(spec);
    c.set(flags.size());
    for (String fl : flags) {
      c.simple(fl);
    }
    c.integer(spec.firstKey);
    c.integer(spec.lastKey);
    c.integer(spec.keyStep);
    c.set(spec.aclCategories.length);
    for (String cat : spec.aclCategories) {
      c.simple("@" + cat);
    }
    List<String> tips = m == null ? List.of() : m.tips;
    c.set(tips.size());
    for (String tip : tips) {
      c.bulk(tip);
    }
    List<CommandMeta.KeySpec> specs = keySpecs(spec);
    c.set(specs.size());
    for (CommandMeta.KeySpec ks : specs) {
      c.map(ks.notes() == null ? 3 : 4);
      if (ks.notes() != null) {
        c.bulk("notes");
        c.bulk(ks.notes());
      }
      c.bulk("flags");
      c.set(ks.flags().size());
      for (String fl : ks.flags()) {
        c.simple(fl);
      }
      c.bulk("begin_search");
      specMap(c, ks.beginType(), ks.beginSpec());
      c.bulk("find_keys");
      specMap(c, ks.findType(), ks.findSpec());
    }
    if (spec.subcommands.isEmpty()) {
      c.set(0);
    } else {
      c.array(spec.subcommands.size());
      for (CommandSpec sub : spec.subcommands.values()) {
        replyInfo(c, sub);
      }
    }
  }

  private static void specMap(Client c, String type, Map<String, String> spec) {
    c.map(2);
    c.bulk("type");
    c.bulk(type);
    c.bulk("spec");
    c.map(spec.size());
    for (Map.Entry<String, String> e : spec.entrySet()) {
      c.bulk(e.getKey());
      if (e.getKey().equals("keyword")) {
        c.bulk(e.getValue());
      } else {
        c.integer(Long.parseLong(e.getValue()));
      }
    }
  }

  // ---- COMMAND DOCS --------------------------------------------------------------------------

  static void docs(Client c, byte[][] a) {
    List<CommandSpec> specs = new ArrayList<>();
    if (a.length == 2) {
      specs.addAll(c.server.commands.all());
    } else {
      for (int i = 2; i < a.length; i++) {
        CommandSpec spec = lookupFullName(c.server, Bytes.lower(a[i]));
        if (spec != null) {
          specs.add(spec);
        }
      }
    }
    c.map(specs.size());
    for (CommandSpec spec : specs) {
      c.bulk(spec.fullName);
      replyDocs(c, spec);
    }
  }

  static void replyDocs(Client c, CommandSpec spec) {
    CommandMeta.Meta m = CommandMeta.get(spec.fullName);
    String summary = spec.summary != null ? spec.summary : m == null ? null : m.summary;
    String since = spec.since != null ? spec.since : m == null ? null : m.since;
    String group = spec.group != null ? spec.group : m == null ? "generic" : m.group;
    String complexity = spec.complexity != null ? spec.complexity
        : m == null ? null : m.complexity;
    List<String> docFlags = m == null ? List.of() : m.docFlags;
    String deprecated = m == null ? null : m.deprecatedSince;
    String replaced = m == null ? null : m.replacedBy;
    List<CommandMeta.Arg> args = m == null ? List.of() : m.args;
    int n = 1;
    n += summary != null ? 1 : 0;
    n += since != null ? 1 : 0;
    n += complexity != null ? 1 : 0;
    n += docFlags.isEmpty() ? 0 : 1;
    n += deprecated != null ? 1 : 0;
    n += replaced != null ? 1 : 0;
    n += args.isEmpty() ? 0 : 1;
    n += spec.subcommands.isEmpty() ? 0 : 1;
    c.map(n);
    if (summary != null) {
      c.bulk("summary");
      c.bulk(summary);
    }
    if (since != null) {
      c.bulk("since");
      c.bulk(since);
    }
    c.bulk("group");
    c.bulk(group);
    if (complexity != null) {
      c.bulk("complexity");
      c.bulk(complexity);
    }
    if (!docFlags.isEmpty()) {
      c.bulk("doc_flags");
      c.set(docFlags.size());
      for (String fl : docFlags) {
        c.simple(fl);
      }
    }
    if (deprecated != null) {
      c.bulk("deprecated_since");
      c.bulk(deprecated);
    }
    if (replaced != null) {
      c.bulk("replaced_by");
      c.bulk(replaced);
    }
    if (!args.isEmpty()) {
      c.bulk("arguments");
      replyArgs(c, args);
    }
    if (!spec.subcommands.isEmpty()) {
      c.bulk("subcommands");
      c.map(spec.subcommands.size());
      for (CommandSpec sub : spec.subcommands.values()) {
        c.bulk(sub.fullName);
        replyDocs(c, sub);
      }
    }
  }

  private static void replyArgs(Client c, List<CommandMeta.Arg> args) {
    c.array(args.size());
    for (CommandMeta.Arg arg : args) {
      Map<String, String> at = arg.attrs;
      boolean nested = arg.type.equals("oneof") || arg.type.equals("block");
      int n = 2;
      n += at.containsKey("ksi") ? 1 : 0;
      n += at.containsKey("token") ? 1 : 0;
      n += at.containsKey("since") ? 1 : 0;
      n += at.containsKey("deprecated") ? 1 : 0;
      n += at.containsKey("flags") ? 1 : 0;
      n += nested ? 1 : 0;
      c.map(n);
      c.bulk("name");
      c.bulk(arg.name);
      c.bulk("type");
      c.bulk(arg.type);
      if (at.containsKey("ksi")) {
        c.bulk("key_spec_index");
        c.integer(Long.parseLong(at.get("ksi")));
      }
      if (at.containsKey("token")) {
        c.bulk("token");
        c.bulk(at.get("token"));
      }
      if (at.containsKey("since")) {
        c.bulk("since");
        c.bulk(at.get("since"));
      }
      if (at.containsKey("deprecated")) {
        c.bulk("deprecated_since");
        c.bulk(at.get("deprecated"));
      }
      if (at.containsKey("flags")) {
        String[] fl = at.get("flags").split(",");
        c.bulk("flags");
        c.set(fl.length);
        for (String x : fl) {
          c.simple(x);
        }
      }
      if (nested) {
        c.bulk("arguments");
        replyArgs(c, arg.children);
      }
    }
  }

  // ---- COMMAND LIST --------------------------------------------------------------------------

  static void list(Client c, byte[][] a) {
    String kind = null;
    String value = null;
    if (a.length == 5 && Args.is(a[2], "filterby")) {
      kind = Bytes.lower(a[3]);
      value = Bytes.str(a[4]);
      if (!kind.equals("module") && !kind.equals("aclcat") && !kind.equals("pattern")) {
        c.syntaxError();
        return;
      }
    } else if (a.length != 2) {
      c.syntaxError();
      return;
    }
    List<String> names = new ArrayList<>();
    for (CommandSpec spec : c.server.commands.all()) {
      addListed(spec, kind, value, names);
      for (CommandSpec sub : spec.subcommands.values()) {
        addListed(sub, kind, value, names);
      }
    }
    c.array(names.size());
    for (String n : names) {
      c.bulk(n);
    }
  }

  private static void addListed(CommandSpec spec, String kind, String value, List<String> out) {
    if (kind == null) {
      out.add(spec.fullName);
    } else if (kind.equals("aclcat")) {
      if (Arrays.asList(spec.aclCategories).contains(value.toLowerCase(java.util.Locale.ROOT))) {
        out.add(spec.fullName);
      }
    } else if (kind.equals("pattern")) {
      if (Glob.match(value, spec.fullName, true)) {
        out.add(spec.fullName);
      }
    }
  }

  // ---- COMMAND GETKEYS / GETKEYSANDFLAGS -----------------------------------------------------

  /** A key found in a command line: its position and the flags of the spec that found it. */
  record KeyRef(int pos, List<String> flags) {}

  static void getkeys(Client c, byte[][] a, boolean withFlags) {
    byte[][] argv = Arrays.copyOfRange(a, 2, a.length);
    CommandSpec spec = c.server.commands.lookup(argv[0]);
    if (spec != null && spec.isContainer() && argv.length >= 2) {
      spec = spec.subcommands.get(Bytes.lower(argv[1]));
    }
    if (spec == null) {
      c.err("Invalid command specified");
      return;
    }
    if (!hasKeys(spec)) {
      c.err("The command has no key arguments");
      return;
    }
    if (!spec.arityOk(argv.length)) {
      c.err("Invalid number of arguments specified for command");
      return;
    }
    List<KeyRef> keys = keysOf(spec, argv);
    if (keys == null || keys.isEmpty()) {
      if (spec.has(CommandFlags.NO_MANDATORY_KEYS)) {
        c.array(0);
      } else {
        c.err("Invalid arguments specified for command");
      }
      return;
    }
    c.array(keys.size());
    for (KeyRef k : keys) {
      if (withFlags) {
        c.array(2);
        c.bulk(argv[k.pos()]);
        c.set(k.flags().size());
        for (String fl : k.flags()) {
          c.simple(fl);
        }
      } else {
        c.bulk(argv[k.pos()]);
      }
    }
  }

  /**
   * The commands whose key specs are incomplete or whose key flags depend on the arguments; Redis
   * finds their keys with dedicated functions (setGetKeys, bitfieldGetKeys, sortGetKeys,
   * migrateGetKeys). Null for every other command.
   */
  static List<KeyRef> specialKeys(String name, byte[][] argv) {
    int argc = argv.length;
    switch (name) {
      case "set": {
        for (int i = 3; i < argc; i++) {
          if (Args.is(argv[i], "get")) {
            return List.of(new KeyRef(1, List.of("RW", "access", "update")));
          }
        }
        return List.of(new KeyRef(1, List.of("OW", "update")));
      }
      case "bitfield": {
        boolean write = false;
        for (int i = 2; i < argc; i++) {
          int remaining = argc - i - 1;
          if (Args.is(argv[i], "get") && remaining >= 2) {
            i += 2;
          } else if ((Args.is(argv[i], "set") || Args.is(argv[i], "incrby")) && remaining >= 3) {
            write = true;
            i += 3;
          } else if (Args.is(argv[i], "overflow") && remaining >= 1) {
            i += 1;
          } else {
            break;
          }
        }
        return List.of(new KeyRef(1, write ? List.of("RW", "access", "update")
            : List.of("RO", "access")));
      }
      case "sort":
      case "sort_ro": {
        List<KeyRef> out = new ArrayList<>();
        out.add(new KeyRef(1, List.of("RO", "access")));
        KeyRef store = null;
        for (int i = 2; i < argc; i++) {
          if (Args.is(argv[i], "limit")) {
            i += 2;
          } else if (Args.is(argv[i], "get") || Args.is(argv[i], "by")) {
            i += 1;
          } else if (Args.is(argv[i], "store") && i + 1 < argc) {
            store = new KeyRef(i + 1, List.of("OW", "update"));
          }
        }
        if (store != null) {
          out.add(store);
        }
        return out;
      }
      case "migrate": {
        if (argc > 6 && argv[3].length == 0) {
          List<KeyRef> out = new ArrayList<>();
          for (int i = 6; i < argc; i++) {
            if (Args.is(argv[i], "keys")) {
              for (int j = i + 1; j < argc; j++) {
                out.add(new KeyRef(j, List.of("RW", "access", "delete")));
              }
              return out;
            }
          }
          return out;
        }
        return List.of(new KeyRef(3, List.of("RW", "access", "delete")));
      }
      default:
        return null;
    }
  }

  static boolean hasKeys(CommandSpec spec) {
    for (CommandMeta.KeySpec ks : keySpecs(spec)) {
      if (!ks.has("not_key")) {
        return true;
      }
    }
    return false;
  }

  /**
   * The keys of a command line by its key specs (Redis's getKeysUsingKeySpecs); null when a spec
   * cannot be applied. SET's key flags depend on its GET option, as in Redis.
   */
  static List<KeyRef> keysOf(CommandSpec spec, byte[][] argv) {
    int argc = argv.length;
    List<KeyRef> special = specialKeys(spec.fullName, argv);
    if (special != null) {
      return special;
    }
    List<KeyRef> out = new ArrayList<>();
    for (CommandMeta.KeySpec ks : keySpecs(spec)) {
      if (ks.has("incomplete")) {
        return null;
      }
      if (ks.has("not_key")) {
        continue;
      }
      int first = 0;
      if (ks.beginType().equals("index")) {
        first = ks.intOf(ks.beginSpec(), "index");
      } else if (ks.beginType().equals("keyword")) {
        String kw = ks.beginSpec().get("keyword");
        int from = ks.intOf(ks.beginSpec(), "startfrom");
        int start = from > 0 ? from : argc + from;
        int end = from > 0 ? argc - 1 : 1;
        for (int i = start; ; i = start <= end ? i + 1 : i - 1) {
          if (i >= argc || i < 1) {
            break;
          }
          if (Args.is(argv[i], kw.toLowerCase(java.util.Locale.ROOT))) {
            first = i + 1;
            break;
          }
          if (i == end) {
            break;
          }
        }
        if (first == 0) {
          continue;
        }
      } else {
        return null;
      }
      int last;
      int step;
      if (ks.findType().equals("range")) {
        step = ks.intOf(ks.findSpec(), "keystep");
        int lastkey = ks.intOf(ks.findSpec(), "lastkey");
        int limit = ks.intOf(ks.findSpec(), "limit");
        if (lastkey >= 0) {
          last = first + lastkey;
        } else if (limit == 0) {
          last = argc + lastkey;
        } else {
          last = first + ((argc - first) / limit + lastkey);
        }
      } else if (ks.findType().equals("keynum")) {
        step = ks.intOf(ks.findSpec(), "keystep");
        int idx = ks.intOf(ks.findSpec(), "keynumidx");
        if (idx >= argc - first) {
          return null;
        }
        Long numkeys = Bytes.parseLongOrNull(argv[first + idx]);
        if (numkeys == null || numkeys < 0) {
          return null;
        }
        first += ks.intOf(ks.findSpec(), "firstkey");
        last = first + (int) (long) numkeys - 1;
      } else {
        return null;
      }
      if (last >= argc || last < first || first >= argc) {
        return null;
      }
      for (int i = first; i <= last; i += step) {
        out.add(new KeyRef(i, ks.flags()));
      }
    }
    return out;
  }
}
