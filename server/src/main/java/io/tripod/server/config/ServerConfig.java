package io.tripod.server.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The values of the directives the server honours, read by the server on the event loop. The
 * parser ({@link ConfigParser}) and the CONFIG command ({@link ConfigDirectives}) write them.
 *
 * <p>Defaults are Redis 7.0's ({@code config.c}).
 */
public final class ServerConfig {
  public List<String> bind = new ArrayList<>(List.of("*", "-::*"));
  public String bindSourceAddr = "";
  public int port = 6379;
  public boolean protectedMode = true;
  public String requirepass = "";
  public int databases = 16;
  public int maxclients = 10000;
  /** Client idle timeout in seconds; 0 = never. */
  public int timeoutSeconds = 0;
  public int tcpKeepaliveSeconds = 300;
  public int tcpBacklog = 511;
  public boolean daemonize = false;
  public String pidfile = "";
  public String logfile = "";
  public String loglevel = "notice";
  public String dir = ".";
  public String enableDebugCommand = "no";
  public long protoMaxBulkLen = 512L * 1024 * 1024;
  public long clientQueryBufferLimit = 1024L * 1024 * 1024;
  public int hz = 10;
  public boolean dynamicHz = true;
  public boolean activeExpire = true;
  public long slowlogLogSlowerThanMicros = 10000;
  public int slowlogMaxLen = 128;
  public long latencyMonitorThresholdMillis = 0;
  public String notifyKeyspaceEvents = "";
  public long maxmemory = 0;
  public String maxmemoryPolicy = "noeviction";
  public boolean lazyfreeLazyUserDel = false;
  public boolean lazyfreeLazyUserFlush = false;
  /** hll-sparse-max-bytes: a sparse HyperLogLog longer than this becomes dense. */
  public long hllSparseMaxBytes = 3000;
  /** list-max-listpack-size (alias list-max-ziplist-size): negative = bytes class, positive = entries. */
  public int listMaxListpackSize = -2;
  /** list-compress-depth. */
  public int listCompressDepth = 0;
  /** config.c's default is 512 (redis.conf ships 128); a server started without a file has 512. */
  public int hashMaxListpackEntries = 512;
  public int hashMaxListpackValue = 64;
  public int setMaxIntsetEntries = 512;
  /** stream-node-max-bytes: a stream listpack node is closed once it would reach this size. */
  public long streamNodeMaxBytes = 4096;
  /** stream-node-max-entries: entries (live and deleted) per stream listpack node. */
  public long streamNodeMaxEntries = 100;
  /** The config file this server was started with (absolute path), or null. */
  public String configFile;
  public boolean sentinelMode;

  // ---- replication (defaults from Redis 7.0 config.c) ----
  /** replicaof / slaveof host, or null for a master. */
  public String replicaofHost;
  public int replicaofPort;
  public String masterauth = "";
  public String masteruser = "";
  public long replBacklogSize = 1024 * 1024;
  public int replBacklogTtlSeconds = 3600;
  public boolean replDisklessSync = true;
  public int replDisklessSyncDelaySeconds = 5;
  public int replDisklessSyncMaxReplicas = 0;
  public int replPingReplicaPeriodSeconds = 10;
  public int replTimeoutSeconds = 60;
  public boolean replDisableTcpNodelay = false;
  public boolean replicaReadOnly = true;
  public boolean replicaServeStaleData = true;
  public int replicaPriority = 100;
  public boolean replicaAnnounced = true;
  public String replicaAnnounceIp = "";
  public int replicaAnnouncePort = 0;
  public int minReplicasToWrite = 0;
  public int minReplicasMaxLagSeconds = 10;
  public boolean rdbcompression = true;
  public boolean rdbchecksum = true;
  public String dbfilename = "dump.rdb";
}
