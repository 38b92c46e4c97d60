package io.tripod.sentinel.core;

import java.util.ArrayList;
import java.util.List;

/** The fields Sentinel reads from an INFO reply ({@code sentinelRefreshInstanceInfo}). */
public final class InfoReply {
  public String runid;
  public Instance.Kind role;
  public final List<Addr> slaves = new ArrayList<>();
  public long masterLinkDownSinceMs;
  public String masterHost;
  public int masterPort;
  public boolean masterLinkUp;
  public Integer priority;
  public Long replOffset;
  public Boolean replicaAnnounced;

  public static InfoReply parse(String text) {
    InfoReply r = new InfoReply();
    for (String l : text.split("\r\n", -1)) {
      if (l.length() >= 47 && l.startsWith("run_id:")) {
        r.runid = l.substring(7, 47);
      } else if (l.length() >= 7 && l.startsWith("slave") && Character.isDigit(l.charAt(5))) {
        Addr a = parseSlaveLine(l);
        if (a != null) {
          r.slaves.add(a);
        }
      } else if (l.startsWith("master_link_down_since_seconds:")) {
        r.masterLinkDownSinceMs = parseLong(l.substring(31), 0) * 1000;
      } else if (l.equals("role:master")) {
        r.role = Instance.Kind.MASTER;
      } else if (l.equals("role:slave")) {
        r.role = Instance.Kind.SLAVE;
      } else if (l.startsWith("master_host:")) {
        r.masterHost = l.substring(12);
      } else if (l.startsWith("master_port:")) {
        r.masterPort = (int) parseLong(l.substring(12), 0);
      } else if (l.startsWith("master_link_status:")) {
        r.masterLinkUp = l.substring(19).equalsIgnoreCase("up");
      } else if (l.startsWith("slave_priority:")) {
        r.priority = (int) parseLong(l.substring(15), 100);
      } else if (l.startsWith("slave_repl_offset:")) {
        r.replOffset = parseLong(l.substring(18), 0);
      } else if (l.startsWith("replica_announced:")) {
        r.replicaAnnounced = parseLong(l.substring(18), 1) != 0;
      }
    }
    return r;
  }

  private static Addr parseSlaveLine(String l) {
    int colon = l.indexOf(':');
    if (colon < 0) {
      return null;
    }
    String v = l.substring(colon + 1);
    if (v.contains("ip=")) {
      String ip = null;
      String port = null;
      for (String kv : v.split(",")) {
        if (kv.startsWith("ip=")) {
          ip = kv.substring(3);
        } else if (kv.startsWith("port=")) {
          port = kv.substring(5);
        }
      }
      if (ip == null || port == null) {
        return null;
      }
      int p = (int) parseLong(port, -1);
      return p > 0 ? new Addr(ip, p) : null;
    }
    String[] old = v.split(",");
    if (old.length < 3) {
      return null;
    }
    int p = (int) parseLong(old[1], -1);
    return p > 0 ? new Addr(old[0], p) : null;
  }

  static long parseLong(String s, long dflt) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return dflt;
    }
  }
}
