package io.tripod.proxy.forward;

import io.netty.channel.Channel;
import io.tripod.proxy.ProxyLog;
import io.tripod.proxy.config.ProxyConfig;
import io.tripod.proxy.lb.Backend;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Runtime of a frontend (or the frontend half of a listen section). */
public final class Frontend {
  public final ProxyConfig cfg;
  /** Where connections go; null when the frontend has no backend. */
  public final Backend backend;
  public final List<Channel> listeners = new CopyOnWriteArrayList<>();
  public final List<ProxyLog.Target> logTargets;
  public final int maxconn;
  public final AtomicInteger cur = new AtomicInteger();
  public final AtomicInteger smax = new AtomicInteger();
  public final AtomicLong stot = new AtomicLong();
  public final LongAdder bin = new LongAdder();
  public final LongAdder bout = new LongAdder();
  public final AtomicLong ereq = new AtomicLong();
  public final AtomicLong denied = new AtomicLong();
  /** Sessions per second (a TCP frontend's connection rate is the same). */
  public final io.tripod.proxy.lb.Rate rate = new io.tripod.proxy.lb.Rate();
  private volatile boolean paused;

  public Frontend(ProxyConfig cfg, Backend backend, List<ProxyLog.Target> logTargets, int maxconn) {
    this.cfg = cfg;
    this.backend = backend;
    this.logTargets = logTargets;
    this.maxconn = maxconn;
  }

  public String name() {
    return cfg.name;
  }

  /** Counts a new connection; stops accepting at maxconn (the kernel queue holds the rest). */
  public void opened() {
    int c = cur.incrementAndGet();
    smax.accumulateAndGet(c, Math::max);
    stot.incrementAndGet();
    rate.add(System.currentTimeMillis());
    if (maxconn > 0 && c >= maxconn && !paused) {
      paused = true;
      for (Channel l : listeners) {
        l.config().setAutoRead(false);
      }
    }
  }

  public void closed() {
    int c = cur.decrementAndGet();
    if (paused && c < maxconn) {
      paused = false;
      for (Channel l : listeners) {
        l.config().setAutoRead(true);
      }
    }
  }
}
