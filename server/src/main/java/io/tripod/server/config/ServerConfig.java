package io.tripod.server.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The values of the config directives, read by the server on the event loop. The parser ({@link
 * ConfigParser}) and CONFIG SET ({@link ConfigDirectives}) write them; defaults are Redis 7.0's
 * ({@code config.c}).
 *
 * <p>Directives that have a typed field here are wired by name in {@link ConfigDirectives}. Known
 * directives without a field keep their value in {@link #extra} (CONFIG GET still shows it). To
 * use such a directive: add a field with Redis's default, point its entry in ConfigDirectives at
 * it and mark the entry {@code implemented()}.
 *
 * <p>Memory values are bytes. {@link #maxmemory} is unsigned (Redis's {@code unsigned long long}):
 * compare it with {@link Long#compareUnsigned}.
 */
public final class ServerConfig {
  // ---- network -------------------------------------------------------------------------------
  /** Listen addresses; a leading {@code -} marks one that may be unavailable. Empty = none. */
  public List<String> bind = new ArrayList<>(List.of("*", "-::*"));
  /** Source address for outgoing connections (replication); empty = any. */
  public String bindSourceAddr = "";
  public int port = 6379;
  public boolean protectedMode = true;
  public int tcpBacklog = 511;
  public int tcpKeepaliveSeconds = 300;
  /** Client idle timeout in seconds; 0 = never. */
  public int timeoutSeconds = 0;
  public int maxclients = 10000;
  public String unixsocket = "";
  public int unixsocketperm = 0;

  // ---- security ------------------------------------------------------------------------------
  public String requirepass = "";
  public String aclfile = "";
  public int acllogMaxLen = 128;
  /** {@code no}, {@code yes} or {@code local}. */
  public String enableDebugCommand = "no";
  public String enableModuleCommand = "no";
  public String enableProtectedConfigs = "no";
  /** {@code user} lines of the config file, each the arguments after {@code user}. */
  public List<List<String>> users = new ArrayList<>();
  /** {@code rename-command} pairs {from, to}; {@code to} empty = command removed. */
  public List<String[]> renameCommands = new ArrayList<>();

  // ---- process and logging -------------------------------------------------------------------
  public boolean daemonize = false;
  public String pidfile = "";
  /** Empty = standard output. */
  public String logfile = "";
  /** {@code debug}, {@code verbose}, {@code notice}, {@code warning} (or {@code nothing}). */
  public String loglevel = "notice";
  public String supervised = "no";
  /** Absolute working directory: where RDB/AOF files (and relative log/pid files) live. */
  public String dir = System.getProperty("user.dir");
  public int databases = 16;

  // ---- limits --------------------------------------------------------------------------------
  public long protoMaxBulkLen = 512L * 1024 * 1024;
  public long clientQueryBufferLimit = 1024L * 1024 * 1024;
  /**
   * client-output-buffer-limit per class {normal, replica, pubsub}: {hard bytes, soft bytes, soft
   * seconds}.
   */
  public long[][] clientOutputBufferLimit = defaultClientOutputBufferLimit();
  public long maxmemory = 0;
  public String maxmemoryPolicy = "noeviction";
  public int maxmemorySamples = 5;
  public int maxmemoryEvictionTenacity = 10;
  public int lfuLogFactor = 10;
  public int lfuDecayTime = 1;
  public long busyReplyThresholdMillis = 5000;
  public long trackingTableMaxKeys = 1_000_000;

  // ---- cron, expiry, lazy free ---------------------------------------------------------------
  public int hz = 10;
  public boolean dynamicHz = true;
  /** Not a directive: DEBUG SET-ACTIVE-EXPIRE. */
  public boolean activeExpire = true;
  public int activeExpireEffort = 1;
  public boolean activerehashing = true;
  public boolean lazyfreeLazyEviction = false;
  public boolean lazyfreeLazyExpire = false;
  public boolean lazyfreeLazyServerDel = false;
  public boolean lazyfreeLazyUserDel = false;
  public boolean lazyfreeLazyUserFlush = false;

  // ---- monitoring ----------------------------------------------------------------------------
  public long slowlogLogSlowerThanMicros = 10000;
  public int slowlogMaxLen = 128;
  public long latencyMonitorThresholdMillis = 0;
  public boolean latencyTracking = true;
  /** Canonical flag string (as CONFIG GET shows it); the server keeps the parsed flags. */
  public String notifyKeyspaceEvents = "";

  // ---- persistence ---------------------------------------------------------------------------
  /** {@code save} points as {seconds, changes}; empty = no snapshots. */
  public List<long[]> save = defaultSave();
  public String dbfilename = "dump.rdb";
  public boolean rdbcompression = true;
  public boolean rdbchecksum = true;
  public boolean rdbDelSyncFiles = false;
  public boolean rdbSaveIncrementalFsync = true;
  public boolean stopWritesOnBgsaveError = true;
  public boolean appendonly = false;
  public String appendfilename = "appendonly.aof";
  public String appenddirname = "appendonlydir";
  /** {@code everysec}, {@code always} or {@code no}. */
  public String appendfsync = "everysec";
  public boolean noAppendfsyncOnRewrite = false;
  public int autoAofRewritePercentage = 100;
  public long autoAofRewriteMinSize = 64L * 1024 * 1024;
  public boolean aofLoadTruncated = true;
  public boolean aofUseRdbPreamble = true;
  /** While loading, clients are served every this many bytes of the file (Redis: 2 MB). */
  public long loadingProcessEventsIntervalBytes = 2 * 1024 * 1024;
  /** Debug (hidden): microseconds to sleep per key loaded; negative -N sleeps 1 us once per N keys on average. */
  public int keyLoadDelay;
  public boolean aofTimestampEnabled = false;
  public boolean aofRewriteIncrementalFsync = true;

  // ---- replication ---------------------------------------------------------------------------
  /** replicaof host, or null when this server is a master. */
  public String masterHost;
  public int masterPort;
  public String masterauth = "";
  public String masteruser = "";
  public boolean replicaServeStaleData = true;
  public boolean replicaReadOnly = true;
  public boolean replicaLazyFlush = false;
  public boolean replicaIgnoreMaxmemory = true;
  public boolean replicaAnnounced = true;
  public String replicaAnnounceIp = "";
  public int replicaAnnouncePort = 0;
  public int replicaPriority = 100;
  public long replBacklogSize = 1024L * 1024;
  public long replBacklogTtlSeconds = 3600;
  public int replTimeoutSeconds = 60;
  public int replPingReplicaPeriodSeconds = 10;
  public boolean replDisklessSync = true;
  public int replDisklessSyncDelaySeconds = 5;
  public int replDisklessSyncMaxReplicas = 0;
  /** {@code disabled}, {@code on-empty-db} or {@code swapdb}. */
  public String replDisklessLoad = "disabled";
  public boolean replDisableTcpNodelay = false;
  public int minReplicasToWrite = 0;
  public int minReplicasMaxLagSeconds = 10;
  /**
   * Tripod only (hidden from CONFIG GET patterns): a write is acknowledged to its client only
   * once every online replica acknowledged it, or {@link #replicaAckTimeoutMillis} passed.
   */
  public boolean replicaAckWrites = false;
  public int replicaAckTimeoutMillis = 1000;
  /**
   * Tripod only (hidden): the stream bytes an online replica may have unsent before the master
   * holds write commands until it drains (0: never; see repl.Backpressure).
   */
  public long replBackpressureSize = 4L * 1024 * 1024;

  // ---- data type encodings -------------------------------------------------------------------
  public long hashMaxListpackEntries = 512;
  public long hashMaxListpackValue = 64;
  public int listMaxListpackSize = -2;
  public int listCompressDepth = 0;
  public long setMaxIntsetEntries = 512;
  public long zsetMaxListpackEntries = 128;
  public long zsetMaxListpackValue = 64;
  public long hllSparseMaxBytes = 3000;
  public long streamNodeMaxBytes = 4096;
  public long streamNodeMaxEntries = 100;

  // ---- cluster and sentinel ------------------------------------------------------------------
  public boolean clusterEnabled = false;
  public boolean sentinelMode;
  /** {@code sentinel ...} lines (arguments after {@code sentinel}), for sentinel mode. */
  public List<List<String>> sentinelLines = new ArrayList<>();

  // ---- modules -------------------------------------------------------------------------------
  /** {@code loadmodule path args...} lines. Modules are not supported. */
  public List<List<String>> loadmodules = new ArrayList<>();
  /** Module configs ({@code module.name value}) queued for modules. */
  public Map<String, String> moduleConfigs = new java.util.LinkedHashMap<>();

  // ---- bookkeeping ---------------------------------------------------------------------------
  /** The config file this server was started with (absolute path), or null. */
  public String configFile;
  /** Values of known directives that have no typed field yet, by canonical name. */
  public final Map<String, Object> extra = new HashMap<>();
  /** Parser state: the file already replaced the default save points (later lines append). */
  boolean saveLoadedFromFile;
  /** Canonical names of the directives the config file and overrides mentioned. */
  public final List<String> mentioned = new ArrayList<>();

  public ServerConfig() {
    ConfigDirectives.initExtra(this);
  }

  public static long[][] defaultClientOutputBufferLimit() {
    return new long[][] {
      {0, 0, 0}, {256L * 1024 * 1024, 64L * 1024 * 1024, 60}, {32L * 1024 * 1024, 8L * 1024 * 1024, 60}
    };
  }

  public static List<long[]> defaultSave() {
    List<long[]> l = new ArrayList<>();
    l.add(new long[] {3600, 1});
    l.add(new long[] {300, 100});
    l.add(new long[] {60, 10000});
    return l;
  }

  /** The configured value of a directive, by name or alias, as CONFIG GET shows it; null if unknown. */
  public String get(String name) {
    ConfigDirectives.Directive d = ConfigDirectives.lookup(name);
    return d == null ? null : d.get(this);
  }
}
