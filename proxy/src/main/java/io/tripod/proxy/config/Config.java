package io.tripod.proxy.config;

import java.util.ArrayList;
import java.util.List;

/** The whole parsed configuration plus the warnings HAProxy would print. */
public final class Config {
  public final GlobalConfig global = new GlobalConfig();
  public final List<ProxyConfig> proxies = new ArrayList<>();
  /** Warning messages, already prefixed "config : " / "parsing [f:l] : ". */
  public final List<String> warnings = new ArrayList<>();

  public ProxyConfig proxy(String name) {
    for (ProxyConfig p : proxies) {
      if (p.name.equals(name)) {
        return p;
      }
    }
    return null;
  }

  public ProxyConfig backend(String name) {
    for (ProxyConfig p : proxies) {
      if (p.name.equals(name) && p.isBackend()) {
        return p;
      }
    }
    return null;
  }
}
