package io.tripod.server.commands;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Process facts for INFO: memory from the JVM heap and /proc, CPU times, OS name. */
final class SystemStats {
  private SystemStats() {}

  static final long PAGE_SIZE = 4096;

  /** Heap in use: the closest JVM analogue of Redis's {@code used_memory}. */
  static long usedMemory() {
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }

  /** Resident set size from /proc/self/statm (0 where /proc is missing). */
  static long rss() {
    String statm = read("/proc/self/statm");
    if (statm == null) {
      return 0;
    }
    String[] f = statm.trim().split("\\s+");
    try {
      return Long.parseLong(f[1]) * PAGE_SIZE;
    } catch (RuntimeException e) {
      return 0;
    }
  }

  static long totalSystemMemory() {
    String mem = read("/proc/meminfo");
    if (mem != null) {
      for (String line : mem.split("\n")) {
        if (line.startsWith("MemTotal:")) {
          String[] f = line.trim().split("\\s+");
          try {
            return Long.parseLong(f[1]) * 1024;
          } catch (RuntimeException e) {
            return 0;
          }
        }
      }
    }
    return 0;
  }

  /** {user, sys} CPU seconds of the process, from /proc/self/stat (100 ticks per second). */
  static double[] processCpu() {
    String stat = read("/proc/self/stat");
    if (stat != null) {
      int close = stat.lastIndexOf(')');
      String[] f = stat.substring(close + 2).trim().split("\\s+");
      try {
        return new double[] {Long.parseLong(f[11]) / 100.0, Long.parseLong(f[12]) / 100.0};
      } catch (RuntimeException e) {
        // fall through
      }
    }
    return new double[] {0, 0};
  }

  /** {user, sys} CPU seconds of the calling thread (the event loop when called by a command). */
  static double[] threadCpu() {
    ThreadMXBean tm = ManagementFactory.getThreadMXBean();
    try {
      long total = tm.getCurrentThreadCpuTime();
      long user = tm.getCurrentThreadUserTime();
      return new double[] {user / 1e9, Math.max(0, total - user) / 1e9};
    } catch (UnsupportedOperationException e) {
      return new double[] {0, 0};
    }
  }

  static String os() {
    String arch = System.getProperty("os.arch", "");
    if (arch.equals("amd64")) {
      arch = "x86_64";
    }
    return System.getProperty("os.name", "Linux") + " " + System.getProperty("os.version", "") + " "
        + arch;
  }

  static String executable() {
    return ProcessHandle.current().info().command().orElse("");
  }

  private static String read(String path) {
    try {
      return Files.readString(Path.of(path), StandardCharsets.ISO_8859_1);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** Redis's {@code bytesToHuman}. */
  static String human(long n) {
    double d = n;
    if (n < 1024) {
      return n + "B";
    } else if (n < 1024L * 1024) {
      return String.format(java.util.Locale.ROOT, "%.2fK", d / 1024);
    } else if (n < 1024L * 1024 * 1024) {
      return String.format(java.util.Locale.ROOT, "%.2fM", d / (1024 * 1024));
    } else if (n < 1024L * 1024 * 1024 * 1024) {
      return String.format(java.util.Locale.ROOT, "%.2fG", d / (1024.0 * 1024 * 1024));
    } else if (n < 1024L * 1024 * 1024 * 1024 * 1024) {
      return String.format(java.util.Locale.ROOT, "%.2fT", d / (1024.0 * 1024 * 1024 * 1024));
    } else if (n < 1024L * 1024 * 1024 * 1024 * 1024 * 1024) {
      return String.format(java.util.Locale.ROOT, "%.2fP", d / (1024.0 * 1024 * 1024 * 1024 * 1024));
    }
    return n + "B";
  }
}
