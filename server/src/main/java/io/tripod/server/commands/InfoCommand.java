package io.tripod.server.commands;

import io.tripod.server.Client;
import io.tripod.server.ClientAccess;
import io.tripod.server.Server;
import io.tripod.server.Stats;
import io.tripod.server.command.CommandSpec;
import io.tripod.server.command.CommandTable;
import io.tripod.server.db.Database;
import io.tripod.server.util.Bytes;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * INFO, with Redis 7.0's sections, field names and order ({@code genRedisInfoString}). Values are
 * real where Tripod has them (uptime, clients, JVM heap as used_memory, RSS, command and keyspace
 * counters) and Redis's idle defaults elsewhere.
 */
public final class InfoCommand {
  private InfoCommand() {}

  /** Every section in output order. */
  static final List<String> ALL_SECTIONS = List.of("server", "clients", "memory", "persistence",
      "stats", "replication", "cpu", "modules", "commandstats", "errorstats", "latencystats",
      "cluster", "keyspace");
  static final Set<String> DEFAULT_SECTIONS = Set.of("server", "clients", "memory", "persistence",
      "stats", "replication", "cpu", "modules", "errorstats", "cluster", "keyspace");

  static void register(CommandTable t) {
    t.add("info", -1, "loading stale", 0, 0, 0, "slow dangerous", InfoCommand::info);
  }

  static void info(Client c, byte[][] a) {
    Set<String> wanted = new LinkedHashSet<>();
    if (a.length == 1) {
      wanted.addAll(DEFAULT_SECTIONS);
    }
    for (int i = 1; i < a.length; i++) {
      String s = Bytes.lower(a[i]);
      if (s.equals("all") || s.equals("everything")) {
        wanted.addAll(ALL_SECTIONS);
      } else if (s.equals("default")) {
        wanted.addAll(DEFAULT_SECTIONS);
      } else {
        wanted.add(s);
      }
    }
    String text = generate(c.server, wanted);
    if (c.proto == 3) {
      c.verbatim(text);
    } else {
      c.bulk(text);
    }
  }

  /** The INFO text for the given (lower-case) section names. */
  public static String generate(Server s, Set<String> wanted) {
    StringBuilder sb = new StringBuilder(4096);
    int sections = 0;
    for (String name : ALL_SECTIONS) {
      if (!wanted.contains(name)) {
        continue;
      }
      if (sections++ > 0) {
        sb.append("\r\n");
      }
      switch (name) {
        case "server": server(s, sb); break;
        case "clients": clients(s, sb); break;
        case "memory": memory(s, sb); break;
        case "persistence": persistence(s, sb); break;
        case "stats": stats(s, sb); break;
        case "replication": replication(s, sb); break;
        case "cpu": cpu(sb); break;
        case "modules": sb.append("# Modules\r\n"); break;
        case "commandstats": commandstats(s, sb); break;
        case "errorstats": errorstats(s, sb); break;
        case "latencystats": latencystats(s, sb); break;
        case "cluster": sb.append("# Cluster\r\ncluster_enabled:0\r\n"); break;
        case "keyspace": keyspace(s, sb); break;
        default: break;
      }
    }
    return sb.toString();
  }

  private static void f(StringBuilder sb, String name, Object value) {
    sb.append(name).append(':').append(value).append("\r\n");
  }

  static String f2(double d) {
    return String.format(Locale.ROOT, "%.2f", d);
  }

  public static void server(Server s, StringBuilder sb) {
    long nowMillis = s.clock.millis();
    long uptime = (nowMillis - s.startMillis) / 1000;
    sb.append("# Server\r\n");
    f(sb, "redis_version", Server.REDIS_VERSION);
    f(sb, "redis_git_sha1", "00000000");
    f(sb, "redis_git_dirty", 0);
    f(sb, "redis_build_id", s.runId.substring(0, 16));
    f(sb, "redis_mode", s.config.sentinelMode ? "sentinel" : "standalone");
    f(sb, "os", SystemStats.os());
    f(sb, "arch_bits", 64);
    f(sb, "monotonic_clock", "POSIX clock_gettime");
    f(sb, "multiplexing_api", "epoll");
    f(sb, "atomicvar_api", "c11-builtin");
    f(sb, "gcc_version", "0.0.0");
    f(sb, "process_id", ProcessHandle.current().pid());
    f(sb, "process_supervised", "no");
    f(sb, "run_id", s.runId);
    f(sb, "tcp_port", s.boundPort());
    f(sb, "server_time_usec", nowMillis * 1000);
    f(sb, "uptime_in_seconds", uptime);
    f(sb, "uptime_in_days", uptime / 86400);
    f(sb, "hz", s.config.hz);
    f(sb, "configured_hz", s.config.hz);
    f(sb, "lru_clock", (nowMillis / 1000) & ((1 << 24) - 1));
    f(sb, "executable", SystemStats.executable());
    f(sb, "config_file", s.config.configFile == null ? "" : s.config.configFile);
    f(sb, "io_threads_active", 0);
  }

  public static void clients(Server s, StringBuilder sb) {
    int connected = 0;
    int blocked = 0;
    long maxIn = 0;
    long maxOut = 0;
    for (Client c : s.clients()) {
      if (!c.isReplica) {
        connected++;
      }
      if (c.blockedOn != null && c.blockedOn != Server.PAUSE) {
        blocked++;
      }
      maxIn = Math.max(maxIn, ClientAccess.queryBufferBytes(c));
      maxOut = Math.max(maxOut, ClientAccess.outputBytesPending(c));
    }
    sb.append("# Clients\r\n");
    f(sb, "connected_clients", connected);
    f(sb, "cluster_connections", 0);
    f(sb, "maxclients", s.config.maxclients);
    f(sb, "client_recent_max_input_buffer", maxIn);
    f(sb, "client_recent_max_output_buffer", maxOut);
    f(sb, "blocked_clients", blocked);
    f(sb, "tracking_clients", 0);
    f(sb, "clients_in_timeout_table", 0);
  }

  static void memory(Server s, StringBuilder sb) {
    IntrospectState st = IntrospectState.of(s);
    long used = st.usedMemoryAndPeak();
    long peak = st.peakMemory;
    long rss = SystemStats.rss();
    long startup = Math.min(st.startupMemory, used);
    long keys = s.totalKeys();
    long clientsMem = 0;
    for (Client c : s.clients()) {
      clientsMem += ClientCommands.totalMemory(c);
    }
    long overhead = Math.min(used, startup + clientsMem + keys * 56);
    long dataset = used - overhead;
    long netUsage = used > startup ? used - startup : 1;
    long total = SystemStats.totalSystemMemory();
    sb.append("# Memory\r\n");
    f(sb, "used_memory", used);
    f(sb, "used_memory_human", SystemStats.human(used));
    f(sb, "used_memory_rss", rss);
    f(sb, "used_memory_rss_human", SystemStats.human(rss));
    f(sb, "used_memory_peak", peak);
    f(sb, "used_memory_peak_human", SystemStats.human(peak));
    f(sb, "used_memory_peak_perc", f2(peak == 0 ? 0 : used * 100.0 / peak) + "%");
    f(sb, "used_memory_overhead", overhead);
    f(sb, "used_memory_startup", startup);
    f(sb, "used_memory_dataset", dataset);
    f(sb, "used_memory_dataset_perc", f2(dataset * 100.0 / netUsage) + "%");
    f(sb, "allocator_allocated", used);
    f(sb, "allocator_active", used);
    f(sb, "allocator_resident", rss);
    f(sb, "total_system_memory", total);
    f(sb, "total_system_memory_human", SystemStats.human(total));
    f(sb, "used_memory_lua", 0);
    f(sb, "used_memory_vm_eval", 0);
    f(sb, "used_memory_lua_human", "0B");
    f(sb, "used_memory_scripts_eval", 0);
    f(sb, "number_of_cached_scripts", 0);
    f(sb, "number_of_functions", 0);
    f(sb, "number_of_libraries", 0);
    f(sb, "used_memory_vm_functions", 0);
    f(sb, "used_memory_vm_total", 0);
    f(sb, "used_memory_vm_total_human", "0B");
    f(sb, "used_memory_functions", 0);
    f(sb, "used_memory_scripts", 0);
    f(sb, "used_memory_scripts_human", "0B");
    f(sb, "maxmemory", s.config.maxmemory);
    f(sb, "maxmemory_human", SystemStats.human(s.config.maxmemory));
    f(sb, "maxmemory_policy", s.config.maxmemoryPolicy);
    f(sb, "allocator_frag_ratio", "1.00");
    f(sb, "allocator_frag_bytes", 0);
    f(sb, "allocator_rss_ratio", f2(used == 0 ? 0 : (double) rss / used));
    f(sb, "allocator_rss_bytes", rss - used);
    f(sb, "rss_overhead_ratio", "1.00");
    f(sb, "rss_overhead_bytes", 0);
    f(sb, "mem_fragmentation_ratio", f2(used == 0 ? 0 : (double) rss / used));
    f(sb, "mem_fragmentation_bytes", rss - used);
    f(sb, "mem_not_counted_for_evict", 0);
    f(sb, "mem_replication_backlog", 0);
    f(sb, "mem_total_replication_buffers", 0);
    f(sb, "mem_clients_slaves", 0);
    f(sb, "mem_clients_normal", clientsMem);
    f(sb, "mem_cluster_links", 0);
    f(sb, "mem_aof_buffer", 0);
    f(sb, "mem_allocator", "jvm");
    f(sb, "active_defrag_running", 0);
    f(sb, "lazyfree_pending_objects", 0);
    f(sb, "lazyfreed_objects", 0);
  }

  static void persistence(Server s, StringBuilder sb) {
    sb.append("# Persistence\r\n");
    f(sb, "loading", s.rdb.loading && !s.rdb.asyncLoading ? 1 : 0);
    f(sb, "async_loading", s.rdb.asyncLoading ? 1 : 0);
    f(sb, "current_cow_peak", 0);
    f(sb, "current_cow_size", 0);
    f(sb, "current_cow_size_age", 0);
    f(sb, "current_fork_perc", "0.00");
    f(sb, "current_save_keys_processed", 0);
    f(sb, "current_save_keys_total", 0);
    f(sb, "rdb_changes_since_last_save", s.dirty);
    f(sb, "rdb_bgsave_in_progress", s.rdb.bgsaveInProgress() || s.snapshot != null ? 1 : 0);
    f(sb, "rdb_last_save_time", s.lastSaveSeconds);
    f(sb, "rdb_last_bgsave_status", s.rdb.lastBgsaveOk ? "ok" : "err");
    f(sb, "rdb_last_bgsave_time_sec", s.rdb.lastBgsaveTimeSec);
    f(sb, "rdb_current_bgsave_time_sec", s.rdb.bgsaveStartMillis < 0 ? -1 : (s.clock.millis() - s.rdb.bgsaveStartMillis) / 1000);
    f(sb, "rdb_saves", s.rdb.rdbSaves);
    f(sb, "rdb_last_cow_size", 0);
    f(sb, "rdb_last_load_keys_expired", s.rdb.lastLoadKeysExpired);
    f(sb, "rdb_last_load_keys_loaded", s.rdb.lastLoadKeysLoaded);
    // Redis turns the AOF on before loading it: aof_enabled is 1 during the start-up load too.
    f(sb, "aof_enabled", s.aof.enabled || (s.rdb.loading && s.config.appendonly) ? 1 : 0);
    f(sb, "aof_rewrite_in_progress", s.aof.rewriteInProgress ? 1 : 0);
    f(sb, "aof_rewrite_scheduled", s.aof.rewriteScheduled ? 1 : 0);
    f(sb, "aof_last_rewrite_time_sec", s.aof.lastRewriteTimeSec);
    f(sb, "aof_current_rewrite_time_sec", -1);
    f(sb, "aof_last_bgrewrite_status", s.aof.lastRewriteOk ? "ok" : "err");
    f(sb, "aof_rewrites", s.aof.rewrites);
    f(sb, "aof_rewrites_consecutive_failures", 0);
    f(sb, "aof_last_write_status", s.aof.lastWriteStatus());
    f(sb, "aof_last_cow_size", 0);
    f(sb, "module_fork_in_progress", 0);
    f(sb, "module_fork_last_cow_size", 0);
    if (s.aof.enabled) {
      f(sb, "aof_current_size", s.aof.currentSize);
      f(sb, "aof_base_size", s.aof.baseSize);
      f(sb, "aof_pending_rewrite", s.aof.rewriteScheduled ? 1 : 0);
      f(sb, "aof_buffer_length", 0);
      f(sb, "aof_pending_bio_fsync", 0);
      f(sb, "aof_delayed_fsync", 0);
    }
    if (s.rdb.loading) {
      // Redis 7.0's figures: perc over total+1, a fake ETA of 1 s in the first second.
      long total = s.rdb.loadingTotalBytes;
      long loaded = s.rdb.loadingLoadedBytes;
      long elapsed = s.clock.millis() / 1000 - s.rdb.loadingStartSeconds;
      long eta = elapsed == 0 ? 1 : elapsed * (total - loaded) / (loaded + 1);
      f(sb, "loading_start_time", s.rdb.loadingStartSeconds);
      f(sb, "loading_total_bytes", total);
      f(sb, "loading_rdb_used_mem", s.rdb.loadingRdbUsedMem);
      f(sb, "loading_loaded_bytes", loaded);
      f(sb, "loading_loaded_perc", String.format(java.util.Locale.ROOT, "%.2f", (double) loaded / (total + 1) * 100));
      f(sb, "loading_eta_seconds", eta);
    }
  }

  public static void stats(Server s, StringBuilder sb) {
    Stats st = s.stats;
    sb.append("# Stats\r\n");
    f(sb, "total_connections_received", st.totalConnectionsReceived);
    f(sb, "total_commands_processed", st.totalCommandsProcessed);
    f(sb, "instantaneous_ops_per_sec", st.instantaneousOps());
    f(sb, "total_net_input_bytes", st.totalNetInputBytes);
    f(sb, "total_net_output_bytes", st.totalNetOutputBytes);
    f(sb, "total_net_repl_input_bytes", 0);
    f(sb, "total_net_repl_output_bytes", st.totalNetReplOutputBytes);
    f(sb, "instantaneous_input_kbps", "0.00");
    f(sb, "instantaneous_output_kbps", "0.00");
    f(sb, "instantaneous_input_repl_kbps", "0.00");
    f(sb, "instantaneous_output_repl_kbps", "0.00");
    f(sb, "rejected_connections", st.rejectedConnections);
    f(sb, "sync_full", st.syncFull);
    f(sb, "sync_partial_ok", st.syncPartialOk);
    f(sb, "sync_partial_err", st.syncPartialErr);
    f(sb, "expired_keys", st.expiredKeys);
    f(sb, "expired_stale_perc", f2(st.expiredStalePerc));
    f(sb, "expired_time_cap_reached_count", st.expiredTimeCapReachedCount);
    f(sb, "expire_cycle_cpu_milliseconds", 0);
    f(sb, "evicted_keys", st.evictedKeys);
    f(sb, "evicted_clients", 0);
    f(sb, "total_eviction_exceeded_time", 0);
    f(sb, "current_eviction_exceeded_time", 0);
    f(sb, "keyspace_hits", st.keyspaceHits);
    f(sb, "keyspace_misses", st.keyspaceMisses);
    f(sb, "pubsub_channels", s.pubsub.channelCount());
    f(sb, "pubsub_patterns", s.pubsub.patternCount());
    f(sb, "pubsubshard_channels", 0);
    f(sb, "latest_fork_usec", 0);
    f(sb, "total_forks", 0);
    f(sb, "migrate_cached_sockets", 0);
    f(sb, "slave_expires_tracked_keys", 0);
    f(sb, "active_defrag_hits", 0);
    f(sb, "active_defrag_misses", 0);
    f(sb, "active_defrag_key_hits", 0);
    f(sb, "active_defrag_key_misses", 0);
    f(sb, "total_active_defrag_time", 0);
    f(sb, "current_active_defrag_time", 0);
    f(sb, "tracking_total_keys", 0);
    f(sb, "tracking_total_items", 0);
    f(sb, "tracking_total_prefixes", 0);
    f(sb, "unexpected_error_replies", st.unexpectedErrorReplies);
    f(sb, "total_error_replies", st.totalErrorReplies);
    f(sb, "dump_payload_sanitizations", 0);
    f(sb, "total_reads_processed", st.totalReadsProcessed);
    f(sb, "total_writes_processed", st.totalWritesProcessed);
    f(sb, "io_threaded_reads_processed", 0);
    f(sb, "io_threaded_writes_processed", 0);
    f(sb, "reply_buffer_shrinks", 0);
    f(sb, "reply_buffer_expands", 0);
  }

  /**
   * The replication section. For now Tripod is always a master without replicas; the replication
   * code replaces this by giving {@link #replicationSection} its own implementation.
   */
  static void replication(Server s, StringBuilder sb) {
    sb.append(replicationSection.apply(s));
  }

  /**
   * Produces the whole {@code # Replication} section (header included, lines ending in CRLF).
   * Replaceable by the replication subsystem; the default describes a master with no replicas.
   */
  public static volatile java.util.function.Function<Server, String> replicationSection =
      InfoCommand::masterReplication;

  /** The master form with no replicas, offset 0 and no backlog. */
  public static String masterReplication(Server s) {
    StringBuilder sb = new StringBuilder(512);
    sb.append("# Replication\r\n");
    f(sb, "role", "master");
    f(sb, "connected_slaves", 0);
    f(sb, "master_failover_state", "no-failover");
    f(sb, "master_replid", replId(s));
    f(sb, "master_replid2", "0000000000000000000000000000000000000000");
    f(sb, "master_repl_offset", 0);
    f(sb, "second_repl_offset", -1);
    f(sb, "repl_backlog_active", 0);
    f(sb, "repl_backlog_size", 1048576);
    f(sb, "repl_backlog_first_byte_offset", 0);
    f(sb, "repl_backlog_histlen", 0);
    return sb.toString();
  }

  /** This server's replication id (random per start, like Redis's). */
  public static String replId(Server s) {
    return IntrospectState.of(s).replId;
  }

  public static void cpu(StringBuilder sb) {
    double[] p = SystemStats.processCpu();
    double[] t = SystemStats.threadCpu();
    sb.append("# CPU\r\n");
    f(sb, "used_cpu_sys", f6(p[1]));
    f(sb, "used_cpu_user", f6(p[0]));
    f(sb, "used_cpu_sys_children", "0.000000");
    f(sb, "used_cpu_user_children", "0.000000");
    f(sb, "used_cpu_sys_main_thread", f6(t[1]));
    f(sb, "used_cpu_user_main_thread", f6(t[0]));
  }

  private static String f6(double d) {
    return String.format(Locale.ROOT, "%.6f", d);
  }

  static void commandstats(Server s, StringBuilder sb) {
    sb.append("# Commandstats\r\n");
    for (CommandSpec spec : s.commands.all()) {
      commandstat(spec, sb);
    }
  }

  private static void commandstat(CommandSpec spec, StringBuilder sb) {
    if (spec.calls > 0 || spec.failedCalls > 0 || spec.rejectedCalls > 0) {
      sb.append("cmdstat_").append(spec.fullName).append(":calls=").append(spec.calls)
          .append(",usec=").append(spec.microseconds)
          .append(",usec_per_call=")
          .append(f2(spec.calls == 0 ? 0 : (double) spec.microseconds / spec.calls))
          .append(",rejected_calls=").append(spec.rejectedCalls)
          .append(",failed_calls=").append(spec.failedCalls).append("\r\n");
    }
    for (CommandSpec sub : spec.subcommands.values()) {
      commandstat(sub, sb);
    }
  }

  static void errorstats(Server s, StringBuilder sb) {
    sb.append("# Errorstats\r\n");
    for (Map.Entry<String, Long> e : s.stats.errors.entrySet()) {
      sb.append("errorstat_").append(e.getKey().replaceAll("[#:\r\n]", "_")).append(":count=")
          .append(e.getValue()).append("\r\n");
    }
  }

  /** Latency percentiles (p50, p99, p99.9) per command that ran, from its histogram. */
  static void latencystats(Server s, StringBuilder sb) {
    sb.append("# Latencystats\r\n");
    for (CommandSpec spec : s.commands.all()) {
      latencystat(spec, sb);
    }
  }

  private static void latencystat(CommandSpec spec, StringBuilder sb) {
    if (spec.latency != null && spec.latency.totalCount() > 0) {
      sb.append("latency_percentiles_usec_").append(spec.fullName).append(":p50=")
          .append(usec(spec.latency.valueAtPercentile(50))).append(",p99=")
          .append(usec(spec.latency.valueAtPercentile(99))).append(",p99.9=")
          .append(usec(spec.latency.valueAtPercentile(99.9))).append("\r\n");
    }
    for (CommandSpec sub : spec.subcommands.values()) {
      latencystat(sub, sb);
    }
  }

  private static String usec(long nanos) {
    return String.format(Locale.ROOT, "%.3f", nanos / 1000.0);
  }

  static void keyspace(Server s, StringBuilder sb) {
    sb.append("# Keyspace\r\n");
    for (Database db : s.databases()) {
      long keys = db.size();
      long expires = db.expiresSize();
      if (keys != 0 || expires != 0) {
        sb.append("db").append(db.id).append(":keys=").append(keys).append(",expires=")
            .append(expires).append(",avg_ttl=").append(db.avgTtlMillis).append("\r\n");
      }
    }
  }
}
