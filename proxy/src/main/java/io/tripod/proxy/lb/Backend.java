package io.tripod.proxy.lb;

import io.tripod.proxy.config.ProxyConfig;
import io.tripod.proxy.config.ServerConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Runtime of a backend (or the backend half of a listen section): its servers and selector. */
public final class Backend {
  public final ProxyConfig cfg;
  public final List<Server> servers;
  public final Selector selector;
  public final AtomicInteger cur = new AtomicInteger();
  public final AtomicInteger smax = new AtomicInteger();
  public final AtomicLong stot = new AtomicLong();
  public final Rate rate = new Rate();
  public final LongAdder bin = new LongAdder();
  public final LongAdder bout = new LongAdder();
  public final AtomicLong econ = new AtomicLong();
  public final AtomicLong wretr = new AtomicLong();
  public final AtomicLong wredis = new AtomicLong();
  public final AtomicLong lbtot = new AtomicLong();
  public final AtomicLong chkdown = new AtomicLong();
  /** Connections waiting for a server slot (every usable server reached its maxconn). */
  public final java.util.concurrent.ConcurrentLinkedQueue<Queued> queue = new java.util.concurrent.ConcurrentLinkedQueue<>();
  public final AtomicInteger qcur = new AtomicInteger();
  public final AtomicInteger qmax = new AtomicInteger();
  public volatile long lastChange = System.currentTimeMillis();
  public volatile long lastSession = -1;
  /** Whether the backend had a usable server at the last state change (for the ALERT). */
  public volatile boolean hadServer = true;
  /**
   * Set when a Sentinel watch drives this backend: only the server at the address a quorum of
   * sentinels reports as master may take sessions (see {@link Server#notMaster()}).
   */
  public volatile boolean sentinelManaged;

  public Backend(ProxyConfig cfg) {
    this.cfg = cfg;
    List<Server> list = new ArrayList<>();
    for (ServerConfig s : cfg.servers) {
      list.add(new Server(s, this));
    }
    this.servers = Collections.unmodifiableList(list);
    this.selector = new Selector(cfg.balance, cfg.allBackups);
  }

  /** A session waiting in the backend queue. */
  public interface Queued {
    /** A slot may be free: retry server selection (called from any thread). */
    void wake();
  }

  /** Called whenever a server slot is released: lets the oldest waiting session try again. */
  public void slotReleased() {
    Queued q = queue.poll();
    if (q != null) {
      q.wake();
    }
  }

  public String name() {
    return cfg.name;
  }

  public Server select(int clientHash, Server exclude) {
    return selector.select(servers, clientHash, exclude);
  }

  public Server server(String name) {
    for (Server s : servers) {
      if (s.name().equals(name)) {
        return s;
      }
    }
    return null;
  }

  /** Usable non-backup servers. */
  public int activeCount() {
    int n = 0;
    for (Server s : servers) {
      if (!s.backup() && s.usable()) {
        n++;
      }
    }
    return n;
  }

  public int backupCount() {
    int n = 0;
    for (Server s : servers) {
      if (s.backup() && s.usable()) {
        n++;
      }
    }
    return n;
  }

  public boolean hasUsableServer() {
    return activeCount() + backupCount() > 0;
  }
}
