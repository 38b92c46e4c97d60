package io.tripod.cli;

import io.tripod.proxy.ProxyLog;
import io.tripod.proxy.ProxyRuntime;
import io.tripod.proxy.config.ConfigParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code tripod proxy -f haproxy.cfg [-f more] [-c] [-db] [-p pidfile] [-q]}: HAProxy's own
 * command line. {@code -c} checks the configuration and exits (0 = valid); otherwise the proxy runs
 * in the foreground until SIGTERM/SIGINT. Exit status 1 on configuration or bind errors.
 */
public final class ProxyMain {
  private ProxyMain() {}

  public static int run(String[] args) {
    List<Path> files = new ArrayList<>();
    boolean check = false;
    boolean quiet = false;
    String pidfile = null;
    ProxyLog log = new ProxyLog(System.out, System.err);
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "-f":
          if (i + 1 >= args.length) {
            return usage(log, "-f expects a file name");
          }
          files.add(Path.of(args[++i]));
          break;
        case "-c":
          check = true;
          break;
        case "-db": case "-d": case "-V": case "-Ws": case "-W":
          break; // always foreground, no master-worker
        case "-D":
          log.warning("tripod proxy always runs in the foreground; -D ignored.");
          break;
        case "-q":
          quiet = true;
          break;
        case "-p":
          if (i + 1 >= args.length) {
            return usage(log, "-p expects a file name");
          }
          pidfile = args[++i];
          break;
        case "-v": case "-vv":
          System.out.println("HAProxy version 2.6.12-tripod (tripod proxy, HAProxy 2.6 compatible)");
          return 0;
        default:
          if (a.startsWith("-f") && a.length() > 2) {
            files.add(Path.of(a.substring(2)));
          } else {
            return usage(log, "unknown option '" + a + "'");
          }
      }
    }
    if (files.isEmpty()) {
      return usage(log, "No configuration file specified");
    }
    log.setQuiet(quiet);
    ConfigParser.Result r = ConfigParser.parseFiles(files);
    for (String w : r.warnings) {
      log.warning("config : " + w);
    }
    if (!r.ok()) {
      for (String e : r.errors) {
        log.alert("config : " + e);
      }
      for (String f : r.files) {
        log.alert("config : Error(s) found in configuration file : " + f);
      }
      log.alert("config : Fatal errors found in configuration.");
      return 1;
    }
    if (check) {
      if (!r.warnings.isEmpty()) {
        System.out.println("Warnings were found.");
      }
      System.out.println("Configuration file is valid");
      return 0;
    }
    if (pidfile == null) {
      pidfile = r.config.global.pidfile;
    }
    ProxyRuntime rt = new ProxyRuntime(r.config, log,
        r.config.global.nbthread > 0 ? r.config.global.nbthread : Math.max(1, Runtime.getRuntime().availableProcessors()));
    try {
      rt.start();
    } catch (ProxyRuntime.StartupException e) {
      log.alert(e.getMessage());
      log.alert("[tripod proxy.main()] Some protocols failed to start their listeners! Exiting.");
      return 1;
    }
    if (pidfile != null) {
      try {
        Files.writeString(Path.of(pidfile), ProxyLog.PID + "\n", StandardCharsets.US_ASCII);
      } catch (IOException e) {
        log.alert("[tripod proxy.main()] Cannot create pidfile " + pidfile);
      }
    }
    CountDownLatch done = new CountDownLatch(1);
    String pf = pidfile;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      rt.close();
      if (pf != null) {
        try {
          Files.deleteIfExists(Path.of(pf));
        } catch (IOException e) {
          // best effort
        }
      }
      done.countDown();
    }, "proxy-shutdown"));
    try {
      done.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  private static int usage(ProxyLog log, String msg) {
    log.alert(msg);
    System.err.println("Usage : tripod proxy -f <cfgfile|cfgdir>* [ -c ] [ -db ] [ -q ] [ -p <pidfile> ]\n"
        + "        -f : configuration file or directory (repeatable)\n"
        + "        -c : check mode: validate the configuration and exit\n"
        + "        -db : foreground (always the case)\n"
        + "        -q : quiet mode: don't display messages\n"
        + "        -p : write the process id to <pidfile>");
    return 1;
  }
}
