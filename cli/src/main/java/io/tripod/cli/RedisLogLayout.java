package io.tripod.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.LayoutBase;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.function.IntSupplier;

/**
 * Redis's log line: {@code pid:R dd Mon yyyy HH:mm:ss.SSS L message}, where R is the role (M master,
 * S replica, X sentinel, C before the server runs) and L the level ({@code .} debug, {@code -}
 * verbose, {@code *} notice, {@code #} warning). SLF4J levels map TRACE→debug, DEBUG→verbose,
 * INFO→notice, WARN and ERROR→warning.
 */
public final class RedisLogLayout extends LayoutBase<ILoggingEvent> {
  static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("dd MMM yyyy HH:mm:ss.SSS", Locale.ENGLISH)
          .withZone(ZoneId.systemDefault());
  static final long PID = ProcessHandle.current().pid();

  /** The role character; ServerMain points it at the running server's state. */
  static volatile IntSupplier role = () -> 'C';

  static char levelChar(Level level) {
    if (level.toInt() >= Level.WARN_INT) {
      return '#';
    } else if (level.toInt() >= Level.INFO_INT) {
      return '*';
    } else if (level.toInt() >= Level.DEBUG_INT) {
      return '-';
    }
    return '.';
  }

  /** One formatted line (without the newline). */
  static String line(long millis, char levelChar, String message) {
    return PID + ":" + (char) role.getAsInt() + " " + TIME.format(Instant.ofEpochMilli(millis))
        + " " + levelChar + " " + message;
  }

  @Override
  public String doLayout(ILoggingEvent e) {
    StringBuilder sb = new StringBuilder(
        line(e.getTimeStamp(), levelChar(e.getLevel()), e.getFormattedMessage()));
    sb.append('\n');
    for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
      sb.append(t == e.getThrowableProxy() ? "" : "Caused by: ").append(t.getClassName())
          .append(": ").append(t.getMessage()).append('\n');
      for (StackTraceElementProxy s : t.getStackTraceElementProxyArray()) {
        sb.append("\tat ").append(s.getStackTraceElement()).append('\n');
      }
    }
    return sb.toString();
  }
}
