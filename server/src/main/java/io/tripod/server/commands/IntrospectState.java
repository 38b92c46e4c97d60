package io.tripod.server.commands;

import io.tripod.server.Server;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Per-server state of the introspection commands that has no home in {@link Server} yet: the
 * replication id shown by INFO/ROLE, memory peak, the latency monitor's events. Kept per server
 * (tests run several servers in one JVM); each instance is used on its server's event loop only.
 */
final class IntrospectState {
  private static final Map<Server, IntrospectState> STATES = new WeakHashMap<>();

  static IntrospectState of(Server s) {
    synchronized (STATES) {
      return STATES.computeIfAbsent(s, IntrospectState::new);
    }
  }

  String replId;
  final long startupMemory;
  long peakMemory;
  /** LATENCY: event name to its samples (insertion order = first seen). */
  final Map<String, LatencyEvent> latencyEvents = new LinkedHashMap<>();

  private IntrospectState(Server s) {
    StringBuilder sb = new StringBuilder(40);
    SecureRandom r = new SecureRandom();
    for (int i = 0; i < 40; i++) {
      sb.append("0123456789abcdef".charAt(r.nextInt(16)));
    }
    replId = sb.toString();
    startupMemory = SystemStats.usedMemory();
    peakMemory = startupMemory;
  }

  long usedMemoryAndPeak() {
    long used = SystemStats.usedMemory();
    if (used > peakMemory) {
      peakMemory = used;
    }
    return used;
  }

  /** One latency monitor event class (Redis keeps the last 160 samples, one per second). */
  static final class LatencyEvent {
    static final int MAX_SAMPLES = 160;
    final long[] times = new long[MAX_SAMPLES];
    final long[] latencies = new long[MAX_SAMPLES];
    int idx;
    int count;
    long max;

    void add(long timeSeconds, long latencyMillis) {
      if (latencyMillis > max) {
        max = latencyMillis;
      }
      int prev = (idx + MAX_SAMPLES - 1) % MAX_SAMPLES;
      if (count > 0 && times[prev] == timeSeconds) {
        if (latencyMillis > latencies[prev]) {
          latencies[prev] = latencyMillis;
        }
        return;
      }
      times[idx] = timeSeconds;
      latencies[idx] = latencyMillis;
      idx = (idx + 1) % MAX_SAMPLES;
      if (count < MAX_SAMPLES) {
        count++;
      }
    }

    long lastTime() {
      return times[(idx + MAX_SAMPLES - 1) % MAX_SAMPLES];
    }

    long lastLatency() {
      return latencies[(idx + MAX_SAMPLES - 1) % MAX_SAMPLES];
    }
  }

  /** Records a latency sample if the latency monitor is enabled and the threshold is reached. */
  static void latencyAdd(Server s, String event, long latencyMillis) {
    long threshold = s.config.latencyMonitorThresholdMillis;
    if (threshold <= 0 || latencyMillis < threshold) {
      return;
    }
    IntrospectState st = of(s);
    st.latencyEvents.computeIfAbsent(event, k -> new LatencyEvent())
        .add(s.clock.millis() / 1000, latencyMillis);
  }
}
