package io.tripod.server.persist;

import io.tripod.server.Server;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs a load (an RDB or AOF file being read into memory) in slices on the event loop, as Redis
 * does with {@code processEventsWhileBlocked}: after every {@code loading-process-events-interval-bytes}
 * of the file (2 MB by default) the loop serves the connections, which get
 * {@code -LOADING Redis is loading the dataset in memory} for commands without the {@code loading}
 * flag, and INFO persistence reports the progress.
 *
 * <p>The next slice is scheduled (not submitted as a plain task): Netty runs scheduled tasks only
 * after the next I/O pass, so connections are served between any two slices.
 *
 * <p>Thread safety: event-loop only.
 */
public final class SlicedLoad {
  /** One unit of loading work (a key of an RDB, a command of an AOF). */
  public interface Steps {
    /** Loads the next item; false when the file is done. */
    boolean step() throws Exception;

    /** Bytes of the file consumed so far. */
    long offset();
  }

  private final Server server;
  private final Steps steps;
  private final long bytesBefore;
  private final Runnable onDone;
  private final Consumer<Exception> onFailure;

  /**
   * {@code bytesBefore}: bytes of earlier files of the same load (an AOF's base before its incr
   * files), so {@code loading_loaded_bytes} counts the whole load.
   */
  public SlicedLoad(Server server, Steps steps, long bytesBefore, Runnable onDone, Consumer<Exception> onFailure) {
    this.server = server;
    this.steps = steps;
    this.bytesBefore = bytesBefore;
    this.onDone = onDone;
    this.onFailure = onFailure;
  }

  public void start() {
    slice();
  }

  private void slice() {
    if (server.isStopping()) {
      onFailure.accept(new IllegalStateException("the server is shutting down"));
      return;
    }
    long interval = Math.max(1024, server.config.loadingProcessEventsIntervalBytes);
    boolean more;
    try {
      long until = steps.offset() + interval;
      do {
        more = steps.step();
      } while (more && steps.offset() < until);
    } catch (Exception e) {
      onFailure.accept(e);
      return;
    }
    server.rdb.loadingLoadedBytes = bytesBefore + steps.offset();
    if (more) {
      server.schedule(this::slice, 0, TimeUnit.NANOSECONDS);
    } else {
      onDone.run();
    }
  }
}
