package io.tripod.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.io.OutputStream;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * Routes SLF4J output the way Redis logs: to {@code logfile} (appending) or, when it is empty, to
 * standard output, in Redis's line format ({@link RedisLogLayout}), filtered by {@code loglevel}.
 */
final class Logging {
  private Logging() {}

  /** Redis loglevel to the logback level: debug, verbose, notice, warning, nothing. */
  static Level level(String loglevel) {
    switch (loglevel.toLowerCase(Locale.ROOT)) {
      case "debug": return Level.TRACE;
      case "verbose": return Level.DEBUG;
      case "warning": return Level.WARN;
      case "nothing": return Level.OFF;
      default: return Level.INFO;
    }
  }

  /**
   * Installs the appender. {@code logfile} null or empty means standard output; {@code discard}
   * drops everything written to standard output (a daemon without a log file, as Redis's
   * /dev/null).
   */
  static void configure(String logfile, String loglevel, boolean discard) {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    ctx.reset();
    RedisLogLayout layout = new RedisLogLayout();
    layout.setContext(ctx);
    layout.start();
    LayoutWrappingEncoder<ILoggingEvent> enc = new LayoutWrappingEncoder<>();
    enc.setContext(ctx);
    enc.setLayout(layout);
    enc.start();
    OutputStreamAppender<ILoggingEvent> app;
    if (logfile != null && !logfile.isEmpty()) {
      FileAppender<ILoggingEvent> f = new FileAppender<>();
      f.setFile(logfile);
      f.setAppend(true);
      f.setPrudent(false);
      app = f;
    } else if (discard) {
      OutputStreamAppender<ILoggingEvent> o = new OutputStreamAppender<>();
      o.setOutputStream(OutputStream.nullOutputStream());
      app = o;
    } else {
      app = new ConsoleAppender<>();
    }
    app.setContext(ctx);
    app.setName("redis");
    app.setEncoder(enc);
    app.setImmediateFlush(true);
    app.start();
    Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
    root.addAppender(app);
    root.setLevel(level(loglevel));
    ctx.getLogger("io.netty").setLevel(Level.WARN);
  }

  /** CONFIG SET loglevel. */
  static void setLevel(String loglevel) {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    ctx.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(level(loglevel));
  }
}
