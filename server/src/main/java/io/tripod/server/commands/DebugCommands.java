package io.tripod.server.commands;

import io.tripod.server.Client;
import io.tripod.server.Server;
import io.tripod.server.command.CommandHandler;
import io.tripod.server.command.CommandTable;
import io.tripod.server.db.Database;
import io.tripod.server.db.KeyEntry;
import io.tripod.server.types.Strings;
import io.tripod.server.types.Types;
import io.tripod.server.util.Bytes;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DEBUG: the subcommands Redis's own test suite relies on (SLEEP, SET-ACTIVE-EXPIRE, OBJECT,
 * DIGEST, DIGEST-VALUE, PROTOCOL, POPULATE, ERROR, LOG, RELOAD, CHANGE-REPL-ID...). Refused
 * unless {@code enable-debug-command} allows it, with Redis's message.
 */
public final class DebugCommands {
  private DebugCommands() {}

  private static final Logger log = LoggerFactory.getLogger(DebugCommands.class);

  /**
   * DEBUG RELOAD: save and load the dataset back. Until persistence provides it, the dataset is
   * kept as it is and the reply is +OK. Persistence replaces this handler.
   */
  public static volatile CommandHandler reloadHandler = (c, a) -> c.ok();

  static void register(CommandTable t) {
    t.add("debug", -2, "admin noscript loading stale protected", 0, 0, 0, "admin slow dangerous",
        DebugCommands::debug);
  }

  static boolean allowed(Client c) {
    String mode = c.server.config.enableDebugCommand;
    if (mode.equalsIgnoreCase("yes")) {
      return true;
    }
    if (mode.equalsIgnoreCase("local") && c.channel() != null) {
      java.net.SocketAddress a = c.channel().remoteAddress();
      return !(a instanceof InetSocketAddress)
          || ((InetSocketAddress) a).getAddress() == null
          || ((InetSocketAddress) a).getAddress().isLoopbackAddress();
    }
    return false;
  }

  static void debug(Client c, byte[][] a) {
    if (!allowed(c)) {
      c.err("DEBUG command not allowed. If the enable-debug-command option is set to \"local\", "
          + "you can run it from a local connection, otherwise you need to set this option in the "
          + "configuration file, and then restart the server.");
      return;
    }
    String sub = Bytes.lower(a[1]);
    int n = a.length;
    Server s = c.server;
    if (sub.equals("help") && n == 2) {
      Help.reply(c, "debug");
    } else if (sub.equals("sleep") && n == 3) {
      sleep(c, a);
    } else if (sub.equals("set-active-expire") && n == 3) {
      s.expiry.activeEnabled = atoi(a[2]) != 0;
      c.ok();
    } else if (sub.equals("object") && n == 3) {
      object(c, a);
    } else if (sub.equals("digest") && n == 2) {
      c.simple(hex(datasetDigest(s)));
    } else if (sub.equals("digest-value") && n >= 2) {
      c.array(n - 2);
      for (int j = 2; j < n; j++) {
        KeyEntry e = c.db.find(a[j]);
        byte[] d = new byte[20];
        if (e != null) { // logically expired keys count too, as in Redis
          objectDigest(d, e);
        }
        c.simple(hex(d));
      }
    } else if (sub.equals("protocol") && n == 3) {
      protocol(c, Bytes.lower(a[2]));
    } else if (sub.equals("populate") && n >= 3 && n <= 5) {
      populate(c, a);
    } else if (sub.equals("error") && n == 3) {
      c.error(Bytes.str(a[2]));
    } else if (sub.equals("log") && n == 3) {
      log.warn("DEBUG LOG: {}", Bytes.str(a[2]));
      c.ok();
    } else if (sub.equals("reload")) {
      for (int j = 2; j < n; j++) {
        if (!Args.is(a[j], "merge") && !Args.is(a[j], "noflush") && !Args.is(a[j], "nosave")) {
          c.err("DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
          return;
        }
      }
      reloadHandler.execute(c, a);
    } else if (sub.equals("change-repl-id") && n == 2) {
      IntrospectState.of(s).replId = randomHex();
      c.ok();
    } else if (sub.equals("quicklist-packed-threshold") && n == 3) {
      Long v = parseMemory(a[2]);
      if (v == null || v < 0 || v > 4L * 1024 * 1024 * 1024) {
        c.err("argument must be a memory value bigger than 1 and smaller than 4gb");
        return;
      }
      io.tripod.server.types.RList.packedThreshold = v;
      c.ok();
    } else if ((sub.equals("pause-cron") || sub.equals("set-skip-checksum-validation")) && n == 3) {
      c.ok();
    } else if (sub.equals("replybuffer") && n == 4) {
      c.ok();
    } else {
      Help.subcommandSyntaxError(c, "DEBUG", a[1]);
    }
  }

  private static String randomHex() {
    java.security.SecureRandom r = new java.security.SecureRandom();
    StringBuilder sb = new StringBuilder(40);
    for (int i = 0; i < 40; i++) {
      sb.append("0123456789abcdef".charAt(r.nextInt(16)));
    }
    return sb.toString();
  }

  private static Long parseMemory(byte[] b) {
    String s = Bytes.str(b).toLowerCase(Locale.ROOT);
    long mul = 1;
    String[][] units = {{"kb", "1024"}, {"mb", "1048576"}, {"gb", "1073741824"}, {"k", "1000"},
        {"m", "1000000"}, {"g", "1000000000"}, {"b", "1"}};
    for (String[] u : units) {
      if (s.endsWith(u[0])) {
        mul = Long.parseLong(u[1]);
        s = s.substring(0, s.length() - u[0].length());
        break;
      }
    }
    try {
      return Long.parseLong(s) * mul;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** C's atoi: leading whitespace, sign, digits; anything else stops the number. */
  static long atoi(byte[] b) {
    int i = 0;
    while (i < b.length && (b[i] == ' ' || b[i] == '\t')) {
      i++;
    }
    boolean neg = false;
    if (i < b.length && (b[i] == '-' || b[i] == '+')) {
      neg = b[i] == '-';
      i++;
    }
    long v = 0;
    while (i < b.length && b[i] >= '0' && b[i] <= '9') {
      v = v * 10 + (b[i] - '0');
      i++;
    }
    return neg ? -v : v;
  }

  static void sleep(Client c, byte[][] a) {
    double seconds;
    try {
      seconds = Double.parseDouble(leadingNumber(Bytes.str(a[2])));
    } catch (NumberFormatException e) {
      seconds = 0;
    }
    long micros = (long) (seconds * 1_000_000);
    if (micros > 0) {
      try {
        // DEBUG SLEEP blocks the whole server on purpose, as in Redis.
        Thread.sleep(micros / 1000, (int) (micros % 1000) * 1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    c.ok();
  }

  private static String leadingNumber(String s) {
    int i = 0;
    s = s.trim();
    while (i < s.length() && "0123456789.+-eE".indexOf(s.charAt(i)) >= 0) {
      i++;
    }
    return i == 0 ? "0" : s.substring(0, i);
  }

  static void object(Client c, byte[][] a) {
    KeyEntry e = c.server.lookupNoTouch(c.db, a[2]);
    if (e == null) {
      c.err("no such key");
      return;
    }
    Object v = e.value;
    String enc = Types.encoding(v);
    long refcount = ServerCommands.sharedInteger(v) ? Integer.MAX_VALUE : 1;
    long idle = Math.max(0, c.server.lruClock() - e.lruSeconds);
    c.simple("Value at:0x" + Long.toHexString(0x7f0000000000L + (System.identityHashCode(v) & 0xffffffffL) * 16)
        + " refcount:" + refcount + " encoding:" + enc + " serializedlength:" + serializedLength(v)
        + " lru:" + (e.lruSeconds & ((1 << 24) - 1)) + " lru_seconds_idle:" + idle);
  }

  /** An estimate of the RDB length of a value (exact for short strings and integers). */
  static long serializedLength(Object v) {
    if (Strings.isString(v)) {
      byte[] b = Strings.bytes(v);
      Long n = b.length <= 11 ? Bytes.parseLongOrNull(b) : null;
      if (n != null && Bytes.equals(Bytes.fromLong(n), b)) {
        if (n >= -128 && n <= 127) {
          return 2;
        }
        if (n >= -32768 && n <= 32767) {
          return 3;
        }
        if (n >= Integer.MIN_VALUE && n <= Integer.MAX_VALUE) {
          return 5;
        }
      }
      int len = b.length;
      int hdr = len < 64 ? 1 : len < 16384 ? 2 : 5;
      return hdr + len;
    }
    return 1;
  }

  static void protocol(Client c, String type) {
    switch (type) {
      case "string": c.bulk("Hello World"); break;
      case "integer": c.integer(12345); break;
      case "double":
        if (c.proto == 3) {
          c.raw(Bytes.of(",3.141\r\n"));
        } else {
          c.bulk("3.141");
        }
        break;
      case "bignum":
        if (c.proto == 3) {
          c.raw(Bytes.of("(1234567999999999999999999999999999999\r\n"));
        } else {
          c.bulk("1234567999999999999999999999999999999");
        }
        break;
      case "null": c.nullBulk(); break;
      case "array":
        c.array(3);
        for (int j = 0; j < 3; j++) {
          c.integer(j);
        }
        break;
      case "set":
        c.set(3);
        for (int j = 0; j < 3; j++) {
          c.integer(j);
        }
        break;
      case "map":
        c.map(3);
        for (int j = 0; j < 3; j++) {
          c.integer(j);
          c.bool(j == 1);
        }
        break;
      case "attrib":
        if (c.proto == 3) {
          c.raw(Bytes.of("|1\r\n"));
          c.bulk("key-popularity");
          c.array(2);
          c.bulk("key:123");
          c.integer(90);
        }
        c.bulk("Some real reply following the attribute");
        break;
      case "push":
        if (c.proto != 3) {
          c.err("RESP2 is not supported by this command");
          return;
        }
        c.raw(Bytes.of(">2\r\n"));
        c.bulk("server-cpu-usage");
        c.integer(42);
        c.bulk("Some real reply following the push reply");
        break;
      case "verbatim": c.verbatim("This is a verbatim\nstring"); break;
      case "true": c.bool(true); break;
      case "false": c.bool(false); break;
      default:
        c.err("Wrong protocol type name. Please use one of the following: "
            + "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false");
    }
  }

  static void populate(Client c, byte[][] a) {
    Long count = Bytes.parseLongOrNull(a[2]);
    if (count == null || count < 0) {
      c.err("value is out of range, must be positive");
      return;
    }
    long valsize = 0;
    if (a.length == 5) {
      Long v = Bytes.parseLongOrNull(a[4]);
      if (v == null || v < 0) {
        c.err("value is out of range, must be positive");
        return;
      }
      valsize = v;
    }
    String prefix = a.length >= 4 ? Bytes.str(a[3]) : "key";
    Server s = c.server;
    for (long j = 0; j < count; j++) {
      byte[] key = (prefix + ":" + j).getBytes(StandardCharsets.UTF_8);
      if (s.lookupWrite(c.db, key) != null) {
        continue;
      }
      byte[] val = ("value:" + j).getBytes(StandardCharsets.UTF_8);
      if (valsize > 0) {
        byte[] sized = new byte[(int) valsize];
        System.arraycopy(val, 0, sized, 0, (int) Math.min(valsize, val.length));
        val = sized;
      }
      s.addKey(c.db, key, val);
    }
    c.ok();
  }

  // ---- digests (Redis's debug.c: xorDigest / mixDigest over SHA1) ----------------------------

  private static byte[] sha1(byte[] data, int off, int len) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-1");
      md.update(data, off, len);
      return md.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static void xorDigest(byte[] digest, byte[] data) {
    byte[] h = sha1(data, 0, data.length);
    for (int j = 0; j < 20; j++) {
      digest[j] ^= h[j];
    }
  }

  static void mixDigest(byte[] digest, byte[] data) {
    xorDigest(digest, data);
    byte[] h = sha1(digest, 0, 20);
    System.arraycopy(h, 0, digest, 0, 20);
  }

  private static final byte[] EXPIRE_MARK = Bytes.of("!!expire!!");

  /** Redis's type codes (OBJ_STRING 0, LIST 1, SET 2, ZSET 3, HASH 4, STREAM 6). */
  static int typeCode(Object v) {
    switch (Types.typeName(v)) {
      case "string": return 0;
      case "list": return 1;
      case "set": return 2;
      case "zset": return 3;
      case "hash": return 4;
      case "stream": return 6;
      default: return 5;
    }
  }

  /**
   * The digest of one value: its type, then its content, then the expire marker. Exact for
   * strings; other types contribute only their type until they expose their elements.
   */
  static void objectDigest(byte[] digest, KeyEntry e) {
    mixDigest(digest, ByteBuffer.allocate(4).putInt(typeCode(e.value)).array());
    if (Strings.isString(e.value)) {
      mixDigest(digest, Strings.bytes(e.value));
    }
    if (e.expireAtMillis != -1) {
      xorDigest(digest, EXPIRE_MARK);
    }
  }

  static byte[] datasetDigest(Server s) {
    byte[] fin = new byte[20];
    for (Database db : s.databases()) {
      if (db.size() == 0) {
        continue;
      }
      mixDigest(fin, ByteBuffer.allocate(4).putInt(db.id).array());
      db.forEach(e -> {
        byte[] d = new byte[20];
        mixDigest(d, e.key);
        objectDigest(d, e);
        xorDigest(fin, d);
      });
    }
    return fin;
  }

  static String hex(byte[] d) {
    StringBuilder sb = new StringBuilder(40);
    for (byte b : d) {
      sb.append(String.format("%02x", b & 0xff));
    }
    return sb.toString();
  }
}
