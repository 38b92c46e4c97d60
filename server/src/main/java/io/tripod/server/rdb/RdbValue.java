package io.tripod.server.rdb;

import java.io.IOException;

/**
 * A value type that can write itself in RDB form (every type but plain strings implements this).
 * The RDB type byte depends on the current encoding, as in Redis ({@code rdbSaveObjectType}).
 */
public interface RdbValue {
  int rdbType();

  void writeRdbPayload(RdbWriter w) throws IOException;
}
