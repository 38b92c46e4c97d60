package io.tripod.cli;

import io.tripod.proxy.ProxyLog;
import io.tripod.proxy.ProxyRuntime;
import io.tripod.proxy.config.ConfigParser;
import io.tripod.proxy.sentinel.SentinelSpec;
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
 *
 * <p>Tripod's Sentinel-aware mode is enabled from the command line only, so that the configuration
 * stays valid for haproxy: {@code --sentinel-master <backend>=<master-name>@<host:port>[,...]}
 * (repeatable, one per backend) and {@code --sentinel-quorum <n>} (default: a majority of each
 * list). See proxy/README.md.
 */
public final class ProxyMain {
  private ProxyMain() {}

  public static int run(String[] args) {
    List<Path> files = new ArrayList<>();
    boolean check = false;
    boolean quiet = false;
    String pidfile = null;
    List<String> sentinelSpecs = new ArrayList<>();
    int sentinelQuorum = 0;
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
        case "--sentinel-master":
          if (i + 1 >= args.length) {
            return usage(log, "--sentinel-master expects <backend>=<master-name>@<host:port>[,<host:port>...]");
          }
          sentinelSpecs.add(args[++i]);
          break;
        case "--sentinel-quorum":
          try {
            sentinelQuorum = i + 1 < args.length ? Integer.parseInt(args[++i]) : -1;
          } catch (NumberFormatException e) {
            sentinelQuorum = -1;
          }
          if (sentinelQuorum < 1) {
            return usage(log, "--sentinel-quorum expects a number of sentinels (1 or more)");
          }
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
    List<SentinelSpec> sentinels = new ArrayList<>();
    for (String spec : sentinelSpecs) {
      try {
        sentinels.add(SentinelSpec.parse(spec, sentinelQuorum));
      } catch (IllegalArgumentException e) {
        return usage(log, "--sentinel-master: " + e.getMessage());
      }
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
    boolean bad = false;
    for (SentinelSpec sp : sentinels) {
      String problem = ProxyRuntime.sentinelProblem(r.config, sp);
      if (problem != null) {
        log.alert("--sentinel-master " + sp.backend() + "=" + sp.masterName() + ": " + problem + ".");
        bad = true;
      }
    }
    if (bad) {
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
    for (SentinelSpec sp : sentinels) {
      rt.watchSentinels(sp);
    }
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
        + "                    [ --sentinel-master <backend>=<master-name>@<host:port>[,<host:port>...] ]*\n"
        + "                    [ --sentinel-quorum <n> ]\n"
        + "        -f : configuration file or directory (repeatable)\n"
        + "        -c : check mode: validate the configuration and exit\n"
        + "        -db : foreground (always the case)\n"
        + "        -q : quiet mode: don't display messages\n"
        + "        -p : write the process id to <pidfile>\n"
        + "        --sentinel-master : only the master that a quorum of these sentinels reports takes\n"
        + "                            sessions in <backend> (Tripod's Sentinel-aware mode)\n"
        + "        --sentinel-quorum : sentinels that must agree (default: a majority of each list)");
    return 1;
  }
}
