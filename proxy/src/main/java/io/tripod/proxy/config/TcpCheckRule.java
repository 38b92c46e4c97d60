package io.tripod.proxy.config;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/** One {@code tcp-check} rule, in file order (CFG §4.2). */
public final class TcpCheckRule {
  public enum Type { CONNECT, SEND, EXPECT, COMMENT }

  public enum Match {
    STRING("string"), RSTRING("rstring"), BINARY("binary"), RBINARY("rbinary");

    public final String word;

    Match(String word) {
      this.word = word;
    }
  }

  public final Type type;
  /** SEND: the bytes to write; EXPECT STRING/BINARY: the bytes to find. Latin-1 chars = bytes. */
  public byte[] data = new byte[0];
  /** EXPECT: the pattern as written (for messages). */
  public String patternText = "";
  public Match match;
  public Pattern regex;
  public boolean negate;
  public int minRecv = -1;
  public String comment;
  /** CONNECT options. */
  public int port;
  public String addr;
  public boolean linger;

  public TcpCheckRule(Type type) {
    this.type = type;
  }

  static byte[] latin1(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** HAProxy's name of the expect kind in timeout messages ("expect string '...'"). */
  public String expectKindName() {
    switch (match) {
      case RSTRING: return "rstring";
      case BINARY: return "binary";
      case RBINARY: return "rbinary";
      default: return "string";
    }
  }
}
