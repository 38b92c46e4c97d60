package io.tripod.proxy.sentinel;

/** An address as Sentinel reports it ({@code SENTINEL get-master-addr-by-name}) or as given on the command line. */
public record HostPort(String host, int port) {
  /** Parses {@code host:port} (an IPv6 host in brackets: {@code [::1]:26379}). */
  public static HostPort parse(String s) {
    int c = s.lastIndexOf(':');
    if (c <= 0 || c == s.length() - 1) {
      throw new IllegalArgumentException("'" + s + "' is not host:port");
    }
    String host = s.substring(0, c);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(s.substring(c + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + s + "' has no valid port");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("'" + s + "' has no valid port");
    }
    return new HostPort(host, port);
  }

  @Override
  public String toString() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
