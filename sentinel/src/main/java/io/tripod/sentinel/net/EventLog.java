package io.tripod.sentinel.net;

import io.tripod.sentinel.core.Level;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Redis's log line format: {@code <pid>:X 26 Nov 2026 18:20:06.123 # +sdown master ...}. */
final class EventLog {
  private static final DateTimeFormatter TS =
      DateTimeFormatter.ofPattern("dd MMM yyyy HH:mm:ss.SSS", Locale.ROOT);
  private final PrintStream out;
  private final long pid = ProcessHandle.current().pid();
  private final Level min;

  EventLog(String logfile, String loglevel) throws IOException {
    this.out =
        logfile == null || logfile.isEmpty()
            ? System.out
            : new PrintStream(new FileOutputStream(logfile, true), true, StandardCharsets.UTF_8);
    switch (loglevel) {
      case "debug":
        min = Level.DEBUG;
        break;
      case "verbose":
        min = Level.VERBOSE;
        break;
      case "warning":
        min = Level.WARNING;
        break;
      default:
        min = Level.NOTICE;
    }
  }

  void log(Level level, String msg) {
    if (level.ordinal() < min.ordinal()) return;
    out.println(pid + ":X " + ZonedDateTime.now().format(TS) + " " + level.mark + " " + msg);
  }
}
