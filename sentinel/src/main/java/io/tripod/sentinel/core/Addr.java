package io.tripod.sentinel.core;

/** An instance address as Sentinel knows it (a literal IP or, with resolve-hostnames, a name). */
public record Addr(String host, int port) {
  @Override
  public String toString() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }

  public boolean sameAs(String otherHost, int otherPort) {
    return port == otherPort && host.equalsIgnoreCase(otherHost);
  }
}
