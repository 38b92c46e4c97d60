package io.tripod.cli;

import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code tripod <subcommand>}: the one entry point of the runnable jar. Subcommands that mirror a
 * Redis or HAProxy binary ({@code server}, later {@code sentinel} and {@code proxy}) take that
 * binary's own arguments verbatim, so they are dispatched before picocli sees them.
 */
@Command(
    name = "tripod",
    mixinStandardHelpOptions = true,
    version = "tripod 0.1.0 (Redis 7.0.15 compatible)",
    description = "A highly available, Redis-compatible key-value system.",
    subcommands = {CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  public static void main(String[] args) {
    if (SentinelMain.isSentinel(args)) System.exit(SentinelMain.run(Arrays.copyOfRange(args, 1, args.length)));
    if (args.length > 0 && args[0].equals("server")) {
      System.exit(ServerMain.run(Arrays.copyOfRange(args, 1, args.length)));
    }
    if (args.length > 0 && args[0].equals("up")) {
      System.exit(UpMain.run(Arrays.copyOfRange(args, 1, args.length)));
    }
    if (args.length > 0 && args[0].equals("status")) {
      System.exit(StatusMain.run(Arrays.copyOfRange(args, 1, args.length)));
    }
    if (args.length > 0 && args[0].equals("drill")) { // not listed: a test and benchmark tool
      System.exit(io.tripod.cli.drill.FailoverDrill.cli(Arrays.copyOfRange(args, 1, args.length)));
    }
    if (args.length > 0 && args[0].equals("proxy")) {
      System.exit(ProxyMain.run(Arrays.copyOfRange(args, 1, args.length)));
    }
    System.exit(new CommandLine(new Main()).execute(args));
  }

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
    System.out.println();
    System.out.println("Commands:");
    System.out.println("  up [--dir DIR] [--port PORT]                  the seed's whole HA topology on this machine");
    System.out.println("  status [--dir DIR] [--port PORT]              roles, offsets, sentinels' view, proxy states");
    System.out.println("  server [redis.conf] [--directive value ...]   a Redis-compatible data server");
    System.out.println("  proxy -f haproxy.cfg [-c] [-db]               an HAProxy-compatible TCP proxy");
    System.out.println("  sentinel sentinel.conf [--directive value ...] a Redis Sentinel-compatible monitor");
  }
}
