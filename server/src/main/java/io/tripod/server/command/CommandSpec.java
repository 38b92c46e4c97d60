package io.tripod.server.command;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A command as data: name, arity, flags, key positions, ACL categories and the handler. The
 * table of these feeds dispatch, {@code COMMAND}, ACL categories and the compatibility table in
 * docs/COMPATIBILITY.md.
 *
 * <p>Arity follows Redis: positive means exactly that many arguments (the name included),
 * negative means at least {@code -arity}.
 */
public final class CommandSpec {
  public final String name;
  /** Name as Redis reports it in errors and COMMAND, e.g. {@code config|get}. */
  public final String fullName;
  public final int arity;
  public final long flags;
  public final int firstKey;
  public final int lastKey;
  public final int keyStep;
  /** ACL categories without the {@code @}, e.g. {@code read string fast}. */
  public final String[] aclCategories;
  public final CommandHandler handler;
  public final CommandSpec parent;
  /** Subcommands by lower-case name, in registration order; empty for plain commands. */
  public final Map<String, CommandSpec> subcommands = new LinkedHashMap<>();

  // Documentation for COMMAND DOCS; null = taken from the built-in command metadata table.
  /** Command group as COMMAND DOCS names it ({@code string}, {@code server}...). */
  public String group;
  /** Redis version that introduced the command ({@code 1.0.0}). */
  public String since;
  /** One-line description. */
  public String summary;
  /** Time complexity, free text. */
  public String complexity;

  // Statistics for INFO commandstats (owned by the event loop).
  public long calls;
  public long microseconds;
  public long rejectedCalls;
  public long failedCalls;
  /** Latency distribution for INFO latencystats and LATENCY HISTOGRAM; null until first call. */
  public LatencyHistogram latency;

  public CommandSpec(
      String name,
      CommandSpec parent,
      int arity,
      long flags,
      int firstKey,
      int lastKey,
      int keyStep,
      String[] aclCategories,
      CommandHandler handler) {
    this.name = name;
    this.parent = parent;
    this.fullName = parent == null ? name : parent.name + "|" + name;
    this.arity = arity;
    this.flags = flags;
    this.firstKey = firstKey;
    this.lastKey = lastKey;
    this.keyStep = keyStep;
    this.aclCategories = aclCategories;
    this.handler = handler;
  }

  /** Sets the documentation fields (any may be null to keep the built-in value); returns this. */
  public CommandSpec docs(String group, String since, String summary, String complexity) {
    this.group = group;
    this.since = since;
    this.summary = summary;
    this.complexity = complexity;
    return this;
  }

  /** Records one call's duration (Redis records microseconds, as nanoseconds). */
  public void recordLatencyMicros(long micros) {
    if (latency == null) {
      latency = new LatencyHistogram();
    }
    latency.record(micros * 1000);
  }

  public boolean has(long flag) {
    return (flags & flag) != 0;
  }

  public boolean arityOk(int argc) {
    return arity > 0 ? argc == arity : argc >= -arity;
  }

  public boolean isContainer() {
    return !subcommands.isEmpty();
  }
}
