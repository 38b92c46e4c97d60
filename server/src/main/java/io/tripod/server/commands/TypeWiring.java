package io.tripod.server.commands;

import io.tripod.server.types.GeoIndex;
import io.tripod.server.types.RList;
import io.tripod.server.types.RSet;
import io.tripod.server.types.RZSet;
import io.tripod.server.types.Sortable;
import java.util.ArrayList;
import java.util.List;

/**
 * Connects commands written against small interfaces to the real types: SORT ... STORE builds
 * lists, geo commands store into sorted sets, ZUNIONSTORE and friends accept sets (score 1).
 */
final class TypeWiring {
  private TypeWiring() {}

  static void register() {
    Sortable.Store.listFactory = RList::of;
    GeoIndex.Factory.create = () -> new RZSet(true);
    ZSetCommands.setMembers = v -> {
      if (!(v instanceof RSet)) {
        return null;
      }
      List<byte[]> out = new ArrayList<>();
      ((RSet) v).forEach(out::add);
      return out;
    };
  }
}
