package io.tripod.proxy.config;

/** One {@code server} line (CFG §5.2), defaults from {@code default-server} already applied. */
public final class ServerConfig implements Cloneable {
  public String name;
  public String host;
  public int port;
  public boolean check;
  public long inter = 2000;
  public long fastinter = -1;
  public long downinter = -1;
  public int rise = 2;
  public int fall = 3;
  public boolean backup;
  public int weight = 1;
  public int maxconn;
  public boolean disabled;
  public boolean shutdownOnMarkedDown;
  public boolean shutdownBackupOnMarkedUp;
  public int checkPort;
  public String checkAddr;
  public int id;
  public String file;
  public int line;

  public ServerConfig copy() {
    try {
      return (ServerConfig) super.clone();
    } catch (CloneNotSupportedException e) {
      throw new AssertionError(e);
    }
  }
}
