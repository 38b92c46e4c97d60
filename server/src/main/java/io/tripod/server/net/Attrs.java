package io.tripod.server.net;

import io.netty.util.AttributeKey;

/** Channel attributes Tripod keeps on client channels. */
final class Attrs {
  private Attrs() {}

  static final AttributeKey<ClientHandler> HANDLER = AttributeKey.valueOf("tripod.handler");
}
