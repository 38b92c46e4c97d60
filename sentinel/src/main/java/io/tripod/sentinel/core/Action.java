package io.tripod.sentinel.core;

/**
 * What the core asks its shell to do. The core never touches a socket, a thread or a clock: every
 * input method appends actions to an outbox that the shell (or the simulation) drains and performs.
 */
public sealed interface Action {
  /** {@code PING} on the command link of {@code to}. */
  record Ping(Addr to) implements Action {}

  /** {@code INFO} on the command link of a master or replica. */
  record Info(Addr to) implements Action {}

  /**
   * {@code PUBLISH __sentinel__:hello <ip>,<port>,<tail>} on the command link of {@code to}. The ip
   * is {@code announceIp} when set, else the local address of that link (only the shell knows it).
   */
  record Hello(Addr to, String announceIp, int port, String tail) implements Action {
    public String payload(String localIp) {
      return (announceIp != null ? announceIp : localIp) + "," + port + "," + tail;
    }
  }

  /** {@code SENTINEL is-master-down-by-addr <ip> <port> <epoch> <runid>} to another sentinel. */
  record AskMasterDown(Addr to, String masterName, Addr master, long epoch, String runid)
      implements Action {}

  /**
   * The reconfiguration transaction: MULTI, SLAVEOF host port (NO ONE when {@code host} is null),
   * CONFIG REWRITE, CLIENT KILL TYPE normal, CLIENT KILL TYPE pubsub, EXEC.
   */
  record SlaveOf(Addr to, String host, int port) implements Action {}

  /** {@code SCRIPT KILL} to a busy instance. */
  record ScriptKill(Addr to) implements Action {}

  /** Drop and re-open the links to this address (idle-link rule). */
  record Reconnect(Addr to) implements Action {}

  /**
   * A Sentinel event: logged, published on the channel named {@code type} (unless DEBUG), and for
   * WARNING events of a master (or of its replicas and sentinels) passed to the master's
   * notification script, {@code notificationScript} as it was when the event happened (null: none).
   */
  record Event(Level level, String type, String message, String masterName, String notificationScript)
      implements Action {
    @Override
    public String toString() {
      return type + " " + message;
    }
  }

  /** A log line only (not an event). */
  record Log(Level level, String message) implements Action {}

  /** Run a master's client-reconfig-script with these arguments. */
  record ReconfigScript(String path, java.util.List<String> args) implements Action {}

  /** Write the config file with the current state. */
  record FlushConfig() implements Action {}

  /** SENTINEL SIMULATE-FAILURE fired: exit(99). */
  record Crash(String why) implements Action {}
}
