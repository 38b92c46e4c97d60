package io.tripod.proxy.stats;

import io.tripod.proxy.check.CheckOutcome;
import io.tripod.proxy.check.CheckResult;
import io.tripod.proxy.config.ProxyConfig;
import io.tripod.proxy.forward.Frontend;
import io.tripod.proxy.lb.Backend;
import io.tripod.proxy.lb.Server;
import java.util.List;

/**
 * {@code show stat} in HAProxy 2.6's CSV layout: the header of the real 2.6 binary (128 columns
 * plus the trailing comma), one FRONTEND row, one row per server and one BACKEND row per proxy,
 * then an empty line. Row templates are the rows haproxy 2.6.12 printed for the same setup; the
 * fields this proxy tracks are filled in.
 */
public final class StatsCsv {
  public static final String HEADER = "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,lastsess,last_chk,last_agt,qtime,ctime,rtime,ttime,agent_status,agent_code,agent_duration,check_desc,agent_desc,check_rise,check_fall,check_health,agent_rise,agent_fall,agent_health,addr,cookie,mode,algo,conn_rate,conn_rate_max,conn_tot,intercepted,dcon,dses,wrew,connect,reuse,cache_lookups,cache_hits,srv_icur,src_ilim,qtime_max,ctime_max,rtime_max,ttime_max,eint,idle_conn_cur,safe_conn_cur,used_conn_cur,need_conn_est,uweight,agg_server_status,agg_server_check_status,agg_check_status,-,ssl_sess,ssl_reused_sess,ssl_failed_handshake,h2_headers_rcvd,h2_data_rcvd,h2_settings_rcvd,h2_rst_stream_rcvd,h2_goaway_rcvd,h2_detected_conn_protocol_errors,h2_detected_strm_protocol_errors,h2_rst_stream_resp,h2_goaway_resp,h2_open_connections,h2_backend_open_streams,h2_total_connections,h2_backend_total_streams,h1_open_connections,h1_open_streams,h1_total_connections,h1_total_streams,h1_bytes_in,h1_bytes_out,h1_spliced_bytes_in,h1_spliced_bytes_out,";
  public static final int COLUMNS = 129;

  private static final String FE = "px,FRONTEND,,,0,0,9985,0,0,0,0,0,0,,,,,OPEN,,,,,,,,,1,2,0,,,,0,0,0,0,,,,,,,,,,,0,0,0,,,0,0,0,0,,,,,,,,,,,,,,,,,,,,,tcp,,0,0,0,,0,0,0,,,,,,,,,,,0,,,,,,,,,-,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,";
  private static final String SV = "px,sv,0,0,0,0,,0,0,0,,0,,0,0,0,0,UP,1,0,1,0,0,6,0,,1,2,1,,0,,2,0,,0,L7OK,0,0,,,,,,,,,,,0,0,,,,,-1,(tcp-check),,0,0,0,0,,,,Layer7 check passed,,2,3,4,,,,127.0.0.1:28101,,tcp,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,1,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,";
  private static final String BE = "px,BACKEND,0,0,0,0,999,0,0,0,0,0,,0,0,0,0,UP,1,0,1,,0,6,0,,1,2,0,,0,,1,0,,0,,,,,,,,,,,,,,0,0,0,0,0,0,-1,,,0,0,0,0,,,,,,,,,,,,,,tcp,leastconn,,,,,,,0,0,0,,,,,0,0,0,0,0,,,,,1,0,0,0,-,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,";

  private StatsCsv() {}

  /** Where the rows come from: proxies in config order with their runtime halves. */
  public interface Source {
    List<ProxyConfig> proxies();

    Frontend frontend(String name);

    Backend backendOf(ProxyConfig p);

    int globalMaxconn();
  }

  public static String render(Source src) {
    StringBuilder sb = new StringBuilder(HEADER).append('\n');
    long now = System.currentTimeMillis();
    for (ProxyConfig p : src.proxies()) {
      Frontend fe = p.isFrontend() ? src.frontend(p.name) : null;
      if (fe != null) {
        String[] f = FE.split(",", -1);
        f[0] = p.name;
        f[4] = String.valueOf(fe.cur.get());
        f[5] = String.valueOf(fe.smax.get());
        f[6] = String.valueOf(fe.maxconn > 0 ? fe.maxconn : src.globalMaxconn());
        f[7] = String.valueOf(fe.stot.get());
        f[8] = String.valueOf(fe.bin.sum());
        f[9] = String.valueOf(fe.bout.sum());
        f[27] = String.valueOf(p.id);
        f[33] = String.valueOf(fe.rate.current(now));
        f[35] = String.valueOf(fe.rate.max());
        f[75] = p.httpMode ? "http" : "tcp";
        f[77] = f[33];
        f[78] = f[35];
        f[79] = String.valueOf(fe.stot.get());
        row(sb, f);
      }
      Backend be = p.isBackend() ? src.backendOf(p) : null;
      if (be == null) {
        continue;
      }
      for (Server s : be.servers) {
        row(sb, serverRow(p, s, now));
      }
      String[] f = BE.split(",", -1);
      f[0] = p.name;
      f[2] = String.valueOf(be.qcur.get());
      f[3] = String.valueOf(be.qmax.get());
      f[4] = String.valueOf(be.cur.get());
      f[5] = String.valueOf(be.smax.get());
      int slim = p.maxconn > 0 ? p.maxconn : src.globalMaxconn();
      f[6] = String.valueOf(Math.max(1, slim / 10));
      f[7] = String.valueOf(be.stot.get());
      f[8] = String.valueOf(be.bin.sum());
      f[9] = String.valueOf(be.bout.sum());
      f[13] = String.valueOf(be.econ.get());
      f[15] = String.valueOf(be.wretr.get());
      f[16] = String.valueOf(be.wredis.get());
      int act = be.activeCount();
      int bck = be.backupCount();
      f[17] = act + bck > 0 || be.servers.isEmpty() ? "UP" : "DOWN"; // a backend without servers is UP
      int w = 0;
      for (Server s : be.servers) {
        if (s.usable() && (act > 0 ? !s.backup() : true)) {
          w += s.weight();
        }
      }
      f[18] = String.valueOf(w);
      f[19] = String.valueOf(act);
      f[20] = String.valueOf(bck);
      f[22] = String.valueOf(be.chkdown.get());
      f[23] = String.valueOf((now - be.lastChange) / 1000);
      f[27] = String.valueOf(p.id);
      f[30] = String.valueOf(be.lbtot.get());
      f[33] = String.valueOf(be.rate.current(now));
      f[35] = String.valueOf(be.rate.max());
      f[55] = be.lastSession < 0 ? "-1" : String.valueOf((now - be.lastSession) / 1000);
      f[75] = p.httpMode ? "http" : "tcp";
      f[76] = p.balance.name().toLowerCase(java.util.Locale.ROOT);
      f[99] = String.valueOf(w);
      row(sb, f);
    }
    return sb.append('\n').toString();
  }

  private static String[] serverRow(ProxyConfig p, Server s, long now) {
    String[] f = SV.split(",", -1);
    f[0] = p.name;
    f[1] = s.name();
    f[4] = String.valueOf(s.cur.get());
    f[5] = String.valueOf(s.smax.get());
    f[6] = s.cfg.maxconn > 0 ? String.valueOf(s.cfg.maxconn) : "";
    f[7] = String.valueOf(s.stot.get());
    f[8] = String.valueOf(s.bin.sum());
    f[9] = String.valueOf(s.bout.sum());
    f[13] = String.valueOf(s.econ.get());
    f[14] = String.valueOf(s.eresp.get());
    f[15] = String.valueOf(s.wretr.get());
    f[16] = String.valueOf(s.wredis.get());
    f[17] = s.status();
    f[18] = String.valueOf(s.weight());
    f[19] = s.backup() ? "0" : "1";
    f[20] = s.backup() ? "1" : "0";
    f[21] = String.valueOf(s.chkfail.get());
    f[22] = String.valueOf(s.chkdown.get());
    f[23] = String.valueOf((now - s.lastChange) / 1000);
    long down = s.downtimeMs + (s.downSince >= 0 ? now - s.downSince : 0);
    f[24] = String.valueOf(down / 1000);
    f[27] = String.valueOf(p.id);
    f[28] = String.valueOf(s.id());
    f[30] = String.valueOf(s.lbtot.get());
    f[33] = String.valueOf(s.rate.current(now));
    f[35] = String.valueOf(s.rate.max());
    f[55] = s.lastSession < 0 ? "-1" : String.valueOf((now - s.lastSession) / 1000);
    f[73] = s.cfg.host + ":" + s.cfg.port;
    f[75] = p.httpMode ? "http" : "tcp";
    f[99] = String.valueOf(s.cfg.weight);
    if (s.health == null || s.inMaintenance()) {
      // no check, or checks paused by maintenance: haproxy leaves the check columns empty
      for (int i : s.health == null ? new int[] {21, 22, 36, 37, 38, 56, 65, 67, 68, 69}
          : new int[] {36, 37, 38, 56, 65, 67, 68, 69}) {
        f[i] = "";
      }
      return f;
    }
    CheckResult r = s.lastCheck;
    f[36] = (s.checkRunning ? "* " : "") + r.outcome().code;
    f[37] = r.outcome() == CheckOutcome.L7OK ? "0" : "";
    f[38] = r.durationMs() < 0 ? "" : String.valueOf(r.durationMs());
    f[56] = s.checkRunning ? "" : r.info(); // a running check (HCHK_STATUS_START) has cleared it
    f[65] = r.outcome().description;
    f[67] = String.valueOf(s.cfg.rise);
    f[68] = String.valueOf(s.cfg.fall);
    f[69] = String.valueOf(s.healthValue);
    return f;
  }

  private static void row(StringBuilder sb, String[] f) {
    for (int i = 0; i < f.length; i++) {
      if (i < f.length - 1 || !f[i].isEmpty()) {
        sb.append(csv(f[i]));
      }
      if (i < f.length - 1) {
        sb.append(',');
      }
    }
    sb.append('\n');
  }

  static String csv(String v) {
    if (v.isEmpty()) {
      return v;
    }
    boolean quote = v.indexOf(',') >= 0 || v.indexOf('"') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0
        || v.charAt(0) == ' ' || v.charAt(v.length() - 1) == ' ';
    return quote ? '"' + v.replace("\"", "\"\"") + '"' : v;
  }
}
