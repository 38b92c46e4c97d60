package io.tripod.proxy.config;

import java.util.ArrayList;
import java.util.List;

/** The {@code global} section. */
public final class GlobalConfig {
  /** A {@code stats socket}: unix path, or {@code ipv4@host:port}. */
  public record StatsSocket(String path, String host, int port, String level, int mode) {}

  public int maxconn;
  public final List<StatsSocket> statsSockets = new ArrayList<>();
  /** {@code log} targets: "stdout", "stderr", "/dev/log", "host:port". */
  public final List<String> logs = new ArrayList<>();
  public String pidfile;
  public boolean daemon;
  /** Event loop threads; 0 = one per CPU (HAProxy's default). */
  public int nbthread;
}
