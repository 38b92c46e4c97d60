package io.tripod.server.commands;

import io.tripod.server.Client;
import io.tripod.server.Server;
import io.tripod.server.command.CommandSpec;
import io.tripod.server.util.Bytes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * LATENCY: the latency monitor's events (recorded when {@code latency-monitor-threshold} is set)
 * and per-command latency histograms.
 */
public final class LatencyCommands {
  private LatencyCommands() {}

  /**
   * Called after every command: feeds the latency monitor's {@code command} or {@code
   * fast-command} event when the call took at least {@code latency-monitor-threshold} ms.
   */
  public static void commandSample(Server s, CommandSpec spec, long micros) {
    long threshold = s.config.latencyMonitorThresholdMillis;
    if (threshold > 0 && micros / 1000 >= threshold) {
      IntrospectState.latencyAdd(s,
          spec.has(io.tripod.server.command.CommandFlags.FAST) ? "fast-command" : "command",
          micros / 1000);
    }
  }

  static void latest(Client c, byte[][] a) {
    Map<String, IntrospectState.LatencyEvent> events = ServerCommands.latencyEvents(c.server);
    c.array(events.size());
    for (Map.Entry<String, IntrospectState.LatencyEvent> e : events.entrySet()) {
      IntrospectState.LatencyEvent ev = e.getValue();
      c.array(4);
      c.bulk(e.getKey());
      c.integer(ev.lastTime());
      c.integer(ev.lastLatency());
      c.integer(ev.max);
    }
  }

  static void history(Client c, byte[][] a) {
    IntrospectState.LatencyEvent ev = ServerCommands.latencyEvents(c.server).get(Bytes.str(a[2]));
    if (ev == null) {
      c.array(0);
      return;
    }
    c.array(ev.count);
    int start = (ev.idx + IntrospectState.LatencyEvent.MAX_SAMPLES - ev.count)
        % IntrospectState.LatencyEvent.MAX_SAMPLES;
    for (int i = 0; i < ev.count; i++) {
      int j = (start + i) % IntrospectState.LatencyEvent.MAX_SAMPLES;
      c.array(2);
      c.integer(ev.times[j]);
      c.integer(ev.latencies[j]);
    }
  }

  static void reset(Client c, byte[][] a) {
    Map<String, IntrospectState.LatencyEvent> events = ServerCommands.latencyEvents(c.server);
    if (a.length == 2) {
      int n = events.size();
      events.clear();
      c.integer(n);
      return;
    }
    int n = 0;
    for (int i = 2; i < a.length; i++) {
      if (events.remove(Bytes.str(a[i])) != null) {
        n++;
      }
    }
    c.integer(n);
  }

  static void graph(Client c, byte[][] a) {
    String name = Bytes.str(a[2]);
    IntrospectState.LatencyEvent ev = ServerCommands.latencyEvents(c.server).get(name);
    if (ev == null) {
      c.err("No samples available for event '" + name + "'");
      return;
    }
    long high = 0;
    long low = Long.MAX_VALUE;
    for (int i = 0; i < ev.count; i++) {
      high = Math.max(high, ev.latencies[i]);
      low = Math.min(low, ev.latencies[i]);
    }
    StringBuilder sb = new StringBuilder();
    sb.append(name).append(" - high ").append(high).append(" ms, low ").append(low)
        .append(" ms (all time high ").append(ev.max).append(" ms)\n");
    sb.append("-".repeat(80)).append('\n');
    // One column per sample, oldest first: a bar of '#' proportional to the latency.
    int rows = 4;
    int start = (ev.idx + IntrospectState.LatencyEvent.MAX_SAMPLES - ev.count)
        % IntrospectState.LatencyEvent.MAX_SAMPLES;
    for (int r = rows; r >= 1; r--) {
      for (int i = 0; i < ev.count; i++) {
        long l = ev.latencies[(start + i) % IntrospectState.LatencyEvent.MAX_SAMPLES];
        long level = high == 0 ? 0 : (l * rows + high - 1) / high;
        sb.append(level >= r ? '#' : ' ');
      }
      sb.append('\n');
    }
    c.verbatim(sb.toString());
  }

  static void doctor(Client c, byte[][] a) {
    Server s = c.server;
    Map<String, IntrospectState.LatencyEvent> events = ServerCommands.latencyEvents(s);
    StringBuilder sb = new StringBuilder();
    if (s.config.latencyMonitorThresholdMillis == 0) {
      sb.append("The latency monitor is disabled on this server. Enable it with "
          + "\"CONFIG SET latency-monitor-threshold <milliseconds>\".\n");
    } else if (events.isEmpty()) {
      sb.append("No latency spikes were observed on this server.\n");
    } else {
      sb.append("Latency spikes observed on this server:\n\n");
      int i = 1;
      for (Map.Entry<String, IntrospectState.LatencyEvent> e : events.entrySet()) {
        IntrospectState.LatencyEvent ev = e.getValue();
        long sum = 0;
        for (int j = 0; j < ev.count; j++) {
          sum += ev.latencies[j];
        }
        sb.append(i++).append(". ").append(e.getKey()).append(": ").append(ev.count)
            .append(" latency spikes (average ").append(ev.count == 0 ? 0 : sum / ev.count)
            .append("ms). Worst all time event ").append(ev.max).append("ms.\n");
      }
      sb.append("\nCheck SLOWLOG GET for the commands that were slow.\n");
    }
    c.verbatim(sb.toString());
  }

  /** Cumulative latency distribution per command, in power-of-two microsecond buckets. */
  static void histogram(Client c, byte[][] a) {
    List<CommandSpec> specs = new ArrayList<>();
    if (a.length == 2) {
      for (CommandSpec spec : c.server.commands.all()) {
        collect(spec, specs);
      }
    } else {
      for (int i = 2; i < a.length; i++) {
        CommandSpec spec = CommandCommand.lookupFullName(c.server, Bytes.lower(a[i]));
        if (spec == null) {
          continue;
        }
        if (spec.latency != null) {
          specs.add(spec);
        }
        for (CommandSpec sub : spec.subcommands.values()) {
          if (sub.latency != null) {
            specs.add(sub);
          }
        }
      }
    }
    c.map(specs.size());
    for (CommandSpec spec : specs) {
      c.bulk(spec.fullName);
      c.map(2);
      c.bulk("calls");
      c.integer(spec.latency.totalCount());
      c.bulk("histogram_usec");
      long[] buckets = spec.latency.cumulativeLog2Buckets();
      c.map(buckets.length / 2);
      for (long v : buckets) {
        c.integer(v);
      }
    }
  }

  private static void collect(CommandSpec spec, List<CommandSpec> out) {
    if (spec.latency != null) {
      out.add(spec);
    }
    for (CommandSpec sub : spec.subcommands.values()) {
      collect(sub, out);
    }
  }
}
