package io.tripod.proxy.config;

import java.util.ArrayList;
import java.util.List;

/** A {@code listen}, {@code frontend}, {@code backend} or {@code defaults} section. */
public final class ProxyConfig {
  public enum Kind {
    DEFAULTS("defaults"), LISTEN("proxy"), FRONTEND("frontend"), BACKEND("backend");

    /** The word HAProxy uses for this kind in messages ("proxy" for listen sections). */
    public final String word;

    Kind(String word) {
      this.word = word;
    }
  }

  public enum Balance { ROUNDROBIN, LEASTCONN, FIRST, SOURCE }

  /** One {@code bind} address. */
  public record Bind(String host, int port, String text) {}

  public final Kind kind;
  public final String name;
  public String file;
  public int line;
  public int id;
  public final List<Bind> binds = new ArrayList<>();
  public boolean httpMode;
  public Balance balance = Balance.ROUNDROBIN;
  public boolean tcplog;
  public boolean tcpCheck;
  public List<TcpCheckRule> checkRules = new ArrayList<>();
  public final List<ServerConfig> servers = new ArrayList<>();
  public ServerConfig defaultServer = new ServerConfig();
  public boolean allBackups;
  /** option redispatch interval: 0 = off, -1 = last retry only, n = every n-th retry. */
  public int redispatch;
  public int retries = 3;
  public long timeoutConnect = -1;
  public long timeoutClient = -1;
  public long timeoutServer = -1;
  public long timeoutCheck = -1;
  public long timeoutTunnel = -1;
  public long timeoutQueue = -1;
  public int maxconn;
  /** Log targets; "global" means the global ones. Empty = no log. */
  public List<String> logs = new ArrayList<>();
  public boolean statsEnable;
  public String statsUri;
  /** {@code stats refresh}: the page's Refresh header in seconds, 0 = none. */
  public long statsRefreshSec;
  public String defaultBackend;
  public int defaultBackendLine;

  public ProxyConfig(Kind kind, String name) {
    this.kind = kind;
    this.name = name;
  }

  public boolean isFrontend() {
    return kind == Kind.LISTEN || kind == Kind.FRONTEND;
  }

  public boolean isBackend() {
    return kind == Kind.LISTEN || kind == Kind.BACKEND;
  }

  /** Takes the settings a proxy inherits from a {@code defaults} section. */
  void inherit(ProxyConfig d) {
    httpMode = d.httpMode;
    balance = d.balance;
    tcplog = d.tcplog;
    tcpCheck = d.tcpCheck;
    checkRules = new ArrayList<>(d.checkRules);
    defaultServer = d.defaultServer.copy();
    allBackups = d.allBackups;
    redispatch = d.redispatch;
    retries = d.retries;
    timeoutConnect = d.timeoutConnect;
    timeoutClient = d.timeoutClient;
    timeoutServer = d.timeoutServer;
    timeoutCheck = d.timeoutCheck;
    timeoutTunnel = d.timeoutTunnel;
    timeoutQueue = d.timeoutQueue;
    maxconn = d.maxconn;
    logs = new ArrayList<>(d.logs);
    statsEnable = d.statsEnable;
    statsUri = d.statsUri;
    statsRefreshSec = d.statsRefreshSec;
    defaultBackend = d.defaultBackend;
  }

  /** The server-side timeout in effect once both sides are connected. */
  public long effectiveServerTimeout() {
    return timeoutTunnel >= 0 ? timeoutTunnel : timeoutServer;
  }

  public long effectiveClientTimeout() {
    return timeoutTunnel >= 0 ? timeoutTunnel : timeoutClient;
  }
}
