package io.tripod.proxy.lb;

import io.tripod.proxy.check.CheckOutcome;
import io.tripod.proxy.check.CheckResult;
import io.tripod.proxy.check.HealthState;
import io.tripod.proxy.config.ServerConfig;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runtime state of one server: health (owned by its check task, published through volatile
 * fields), admin maintenance, live sessions and the counters {@code show stat} reports.
 */
public final class Server implements LbServer {
  /** A live session that can be killed when the server is marked down (code D/U/K). */
  public interface Killable {
    void kill(char code);
  }

  /** A session waiting to retry a connect to this server. */
  public interface Redispatchable {
    /** Retry on another server now (called from any thread). */
    void redispatchNow();
  }

  public final ServerConfig cfg;
  public final Backend backend;
  /** Null when the server has no {@code check}. */
  public final HealthState health;
  private volatile boolean up;
  private volatile boolean maint;
  /**
   * Sentinel-aware mode: this server is not the master a quorum of sentinels reports, so it takes
   * no session whatever its check says (shown as DRAIN when its check passes).
   */
  private volatile boolean notMaster;
  /** Sentinel-aware mode: just named the master, not usable before one check passes. */
  private volatile boolean awaitingCheck;
  private volatile int weight;
  public volatile CheckResult lastCheck = new CheckResult(CheckOutcome.INI, "", -1);
  public volatile boolean checkRunning;
  public volatile String statusText;
  public volatile int healthValue;
  public final AtomicInteger cur = new AtomicInteger();
  public final AtomicInteger smax = new AtomicInteger();
  public final AtomicLong stot = new AtomicLong();
  public final Rate rate = new Rate();
  public final LongAdder bin = new LongAdder();
  public final LongAdder bout = new LongAdder();
  public final AtomicLong econ = new AtomicLong();
  public final AtomicLong eresp = new AtomicLong();
  public final AtomicLong wretr = new AtomicLong();
  public final AtomicLong wredis = new AtomicLong();
  public final AtomicLong chkfail = new AtomicLong();
  public final AtomicLong chkdown = new AtomicLong();
  public final AtomicLong lbtot = new AtomicLong();
  public volatile long lastChange = System.currentTimeMillis();
  public volatile long downSince = -1;
  public volatile long downtimeMs;
  public volatile long lastSession = -1;
  /** Resolved once at startup (HAProxy's init-addr libc); unresolved when the name is unknown. */
  public final java.net.InetSocketAddress address;
  public final Set<Killable> sessions = ConcurrentHashMap.newKeySet();
  /** Sessions waiting for their next connect retry to this server. */
  public final Set<Redispatchable> retrying = ConcurrentHashMap.newKeySet();

  public Server(ServerConfig cfg, Backend backend) {
    this.cfg = cfg;
    this.backend = backend;
    this.weight = cfg.weight;
    this.address = new java.net.InetSocketAddress(cfg.host, cfg.port);
    this.health = cfg.check ? new HealthState(cfg.rise, cfg.fall) : null;
    this.maint = cfg.disabled;
    if (health != null && cfg.disabled) {
      health.force(false);
    }
    this.up = health == null || health.isUp();
    publish();
    if (!up || maint) {
      downSince = System.currentTimeMillis();
    }
  }

  /** Copies the health state into the fields other threads read. Call after each change. */
  public void publish() {
    if (health != null) {
      up = health.isUp();
      healthValue = health.health();
    } else {
      up = true;
    }
    statusText = maint ? "MAINT" : health == null ? "no check" : health.statusText();
  }

  public String name() {
    return cfg.name;
  }

  @Override
  public int id() {
    return cfg.id;
  }

  @Override
  public boolean usable() {
    return up && !maint && weight > 0 && !notMaster && !awaitingCheck;
  }

  public boolean awaitingCheck() {
    return awaitingCheck;
  }

  public void setAwaitingCheck(boolean v) {
    awaitingCheck = v;
  }

  public boolean notMaster() {
    return notMaster;
  }

  public void setNotMaster(boolean v) {
    notMaster = v;
  }

  /**
   * The {@code status} column: the health/maintenance text, with UP turned into DRAIN while the
   * sentinels name another server (healthy, but out of rotation).
   */
  public String status() {
    String st = statusText;
    return notMaster && st.startsWith("UP") ? "DRAIN" + st.substring(2) : st;
  }

  public boolean isUp() {
    return up;
  }

  public boolean inMaintenance() {
    return maint;
  }

  public void setMaintenance(boolean m) {
    maint = m;
    publish();
  }

  @Override
  public boolean backup() {
    return cfg.backup;
  }

  @Override
  public int weight() {
    return weight;
  }

  public void setWeight(int w) {
    weight = w;
  }

  @Override
  public int inflight() {
    return cur.get();
  }

  @Override
  public int maxconn() {
    return cfg.maxconn;
  }

  public void sessionStarted() {
    int c = cur.incrementAndGet();
    smax.accumulateAndGet(c, Math::max);
    stot.incrementAndGet();
    lbtot.incrementAndGet();
    lastSession = System.currentTimeMillis();
    rate.add(lastSession);
  }

  /** Check interval after the last result (srv_getinter): inter / fastinter / downinter. */
  public long nextInterval() {
    if (health == null) {
      return cfg.inter;
    }
    if (!health.isUp() && health.health() == 0) {
      return cfg.downinter > 0 ? cfg.downinter : cfg.inter;
    }
    if (health.transitional()) {
      return cfg.fastinter > 0 ? cfg.fastinter : cfg.inter;
    }
    return cfg.inter;
  }
}
