package io.tripod.server.it;

import io.tripod.server.Server;
import io.tripod.server.config.ConfigException;
import io.tripod.server.config.ConfigParser;
import io.tripod.server.config.ServerConfig;
import java.util.Arrays;

/**
 * A Tripod server in its own JVM for tests that must kill -9 it: {@code java -cp <test classpath>
 * io.tripod.server.it.StandaloneServer --port N --dir D ...} (redis-server style overrides).
 */
public final class StandaloneServer {
  private StandaloneServer() {}

  public static void main(String[] args) throws Exception {
    ServerConfig cfg;
    try {
      cfg = ConfigParser.load(null, Arrays.asList(args));
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      System.exit(1);
      return;
    }
    Server s = new Server(cfg);
    s.start();
    System.out.println("READY " + s.boundPort());
    Thread.currentThread().join();
  }

  /** Starts one with the given overrides (and an optional shell prefix such as "ulimit -f 100;"). */
  public static Process start(String shellPrefix, String... overrides) throws java.io.IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    StringBuilder cmd = new StringBuilder();
    if (shellPrefix != null) {
      cmd.append(shellPrefix).append(' ');
    }
    cmd.append("exec '").append(java).append("' -Xmx512m -cp '").append(System.getProperty("java.class.path"))
        .append("' ").append(StandaloneServer.class.getName());
    for (String o : overrides) {
      cmd.append(" '").append(o.replace("'", "'\\''")).append('\'');
    }
    return new ProcessBuilder("bash", "-c", cmd.toString()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
  }
}
