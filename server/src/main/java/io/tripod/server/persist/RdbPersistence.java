package io.tripod.server.persist;

import io.tripod.server.Server;
import io.tripod.server.db.Database;
import io.tripod.server.rdb.RdbException;
import io.tripod.server.rdb.RdbWriter;
import io.tripod.server.repl.RdbLoader;
import io.tripod.server.repl.Snapshot;
import java.io.BufferedOutputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RDB persistence (Redis's {@code rdb.c} save side and {@code loadDataFromDisk}): SAVE, BGSAVE
 * through the forkless {@link Snapshot}, automatic saves from the {@code save} points, loading
 * {@code dbfilename} at start, and the state INFO persistence reports.
 *
 * <p>Files are written atomically: to {@code temp-<pid>.rdb}, fsync'd, then renamed over
 * {@code dbfilename}, so a crash mid-save never leaves a truncated dump and a failed save never
 * replaces a good file.
 *
 * <p>Thread safety: state is event-loop owned; file writes of a BGSAVE run on one I/O thread that
 * reports back through {@link Server#execute}.
 */
public final class RdbPersistence {
  private static final Logger log = LoggerFactory.getLogger(RdbPersistence.class);
  /** After a failed background save, wait this long before trying a save point again. */
  private static final long BGSAVE_RETRY_DELAY_MILLIS = 5000;

  private final Server server;
  private final ExecutorService io = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "tripod-rdb-io");
    t.setDaemon(true);
    return t;
  });

  /** A dataset is being loaded (at start, or an AOF): clients get -LOADING. */
  public boolean loading;
  /**
   * A replica's full sync loads aside while the old data keeps serving reads (Redis 7.0's async
   * loading: repl-diskless-load swapdb, same replication history); {@link #loading} is set too.
   */
  public boolean asyncLoading;
  public long loadingStartSeconds;
  public long loadingTotalBytes;
  public long loadingLoadedBytes;
  /** The {@code used-mem} AUX field of the RDB being loaded. */
  public long loadingRdbUsedMem;
  public boolean lastBgsaveOk = true;
  public long lastBgsaveTimeSec = -1;
  public long bgsaveStartMillis = -1;
  public long rdbSaves;
  public long lastLoadKeysLoaded;
  public long lastLoadKeysExpired;
  public boolean bgsaveScheduled;
  private long lastBgsaveTryMillis;
  private long dirtyAtBgsaveStart;
  /** A background save of ours is running (not a replication snapshot). */
  private Snapshot bgsave;

  public RdbPersistence(Server server) {
    this.server = server;
  }

  public File file() {
    return new File(server.config.dir, server.config.dbfilename);
  }

  public boolean bgsaveInProgress() {
    return bgsave != null;
  }

  // ---- SAVE ----------------------------------------------------------------------------------

  /**
   * A blocking save (SAVE, SHUTDOWN, DEBUG RELOAD): the whole dataset is written on the calling
   * (event-loop) thread, as Redis's SAVE blocks the server.
   */
  public boolean saveNow() {
    File target = file();
    File tmp = new File(target.getParentFile(), "temp-" + ProcessHandle.current().pid() + ".rdb");
    long dirtyBefore = server.dirty;
    try (FileOutputStream fos = new FileOutputStream(tmp);
        BufferedOutputStream out = new BufferedOutputStream(fos, 1 << 20)) {
      RdbWriter w = new RdbWriter(out, server.config.rdbcompression, server.config.rdbchecksum);
      w.writeHeader();
      writeAux(w);
      for (Database db : server.databases()) {
        if (db.size() == 0) {
          continue;
        }
        w.writeSelectDb(db.id, db.size(), db.expiresSize());
        IOException[] failure = new IOException[1];
        db.forEach(e -> {
          if (failure[0] == null) {
            try {
              w.writeEntry(e);
            } catch (IOException ex) {
              failure[0] = ex;
            }
          }
        });
        if (failure[0] != null) {
          throw failure[0];
        }
      }
      w.writeEof();
      out.flush();
      fos.getFD().sync();
    } catch (IOException e) {
      log.warn("Failed opening the temp RDB file {} (in server root dir {}) for saving: {}", tmp.getName(),
          new File(server.config.dir).getAbsolutePath(), e.getMessage());
      tmp.delete();
      return false;
    }
    try {
      move(tmp, target);
    } catch (IOException e) {
      log.warn("Error moving temp DB file {} on the final destination {}: {}", tmp, target, e.getMessage());
      tmp.delete();
      return false;
    }
    log.info("DB saved on disk");
    server.dirty -= Math.min(server.dirty, dirtyBefore);
    server.lastSaveSeconds = server.clock.millis() / 1000;
    rdbSaves++;
    lastBgsaveOk = true;
    return true;
  }

  private void writeAux(RdbWriter w) throws IOException {
    w.writeAux("redis-ver", Server.REDIS_VERSION);
    w.writeAux("redis-bits", "64");
    w.writeAux("ctime", Long.toString(server.clock.millis() / 1000));
    w.writeAux("used-mem", Long.toString(Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()));
    if (server.repl.backlog != null) {
      w.writeAux("repl-stream-db", "0");
      w.writeAux("repl-id", server.repl.replid);
      w.writeAux("repl-offset", Long.toString(server.repl.masterReplOffset()));
    }
    w.writeAux("aof-base", "0");
  }

  private static void move(File from, File to) throws IOException {
    try {
      Files.move(from.toPath(), to.toPath(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from.toPath(), to.toPath(), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  // ---- BGSAVE --------------------------------------------------------------------------------

  /** Outcome of a BGSAVE request. */
  public enum BgsaveResult { STARTED, SCHEDULED, ALREADY_RUNNING, BUSY }

  /**
   * Starts a background save. If a snapshot (ours or a replica's full sync) is running: with
   * {@code schedule} the save runs when it ends, otherwise the caller gets the busy answer.
   */
  public BgsaveResult bgsave(boolean schedule) {
    if (bgsave != null) {
      return BgsaveResult.ALREADY_RUNNING;
    }
    if (server.snapshot != null) {
      if (schedule) {
        bgsaveScheduled = true;
        return BgsaveResult.SCHEDULED;
      }
      return BgsaveResult.BUSY;
    }
    startBgsave();
    return BgsaveResult.STARTED;
  }

  private void startBgsave() {
    File target = file();
    File tmp = new File(target.getParentFile(), "temp-" + ProcessHandle.current().pid() + "-bg.rdb");
    FileSink sink;
    try {
      sink = new FileSink(tmp, target);
    } catch (IOException e) {
      log.warn("Failed opening the temp RDB file {}: {}", tmp, e.getMessage());
      lastBgsaveOk = false;
      lastBgsaveTryMillis = server.clock.millis();
      return;
    }
    bgsaveStartMillis = server.clock.millis();
    lastBgsaveTryMillis = bgsaveStartMillis;
    dirtyAtBgsaveStart = server.dirty;
    Snapshot snap = new Snapshot(server, server.nextSnapshotEpoch(), sink, server.config.rdbcompression,
        server.config.rdbchecksum);
    server.snapshot = snap;
    bgsave = snap;
    log.info("Background saving started (forkless snapshot)");
    snap.onDone(() -> {
      server.snapshot = null;
      server.execute(server.repl::maybeStartSnapshot);
    });
    snap.start(server.repl.backlog != null ? server.repl.replid : null, server.repl.masterReplOffset(), 0);
  }

  /** Chunks go to the I/O thread; at the end it fsyncs and renames, then reports back. */
  private final class FileSink implements Snapshot.Sink {
    private final File tmp;
    private final File target;
    private final FileOutputStream fos;
    private final BufferedOutputStream out;
    private volatile IOException failure;
    private final java.util.concurrent.atomic.AtomicLong queuedBytes = new java.util.concurrent.atomic.AtomicLong();

    FileSink(File tmp, File target) throws IOException {
      this.tmp = tmp;
      this.target = target;
      this.fos = new FileOutputStream(tmp);
      this.out = new BufferedOutputStream(fos, 1 << 20);
    }

    @Override
    public void write(byte[] chunk, int len) {
      queuedBytes.addAndGet(len);
      io.execute(() -> {
        try {
          if (failure == null) {
            out.write(chunk, 0, len);
          }
        } catch (IOException e) {
          failure = e;
        } finally {
          queuedBytes.addAndGet(-len);
        }
      });
    }

    @Override
    public boolean backpressured() {
      // Bound the memory held by chunks waiting for the disk.
      return queuedBytes.get() > 64L * 1024 * 1024;
    }

    @Override
    public void done(boolean ok) {
      io.execute(() -> {
        boolean good = ok && failure == null;
        try {
          out.flush();
          fos.getFD().sync();
          out.close();
          if (good) {
            move(tmp, target);
          }
        } catch (IOException e) {
          failure = e;
          good = false;
        }
        if (!good) {
          tmp.delete();
        }
        boolean result = good;
        IOException why = failure;
        server.execute(() -> bgsaveDone(result, why));
      });
    }
  }

  private void bgsaveDone(boolean ok, IOException why) {
    long now = server.clock.millis();
    lastBgsaveTimeSec = (now - bgsaveStartMillis) / 1000;
    bgsaveStartMillis = -1;
    bgsave = null;
    lastBgsaveOk = ok;
    if (ok) {
      server.dirty -= Math.min(server.dirty, dirtyAtBgsaveStart);
      server.lastSaveSeconds = now / 1000;
      rdbSaves++;
      log.info("Background saving terminated with success");
    } else {
      log.warn("Background saving error: {}", why == null ? "aborted" : why.getMessage());
    }
  }

  // ---- cron ----------------------------------------------------------------------------------

  /** Save points and scheduled saves (from the server cron, once a second is enough). */
  public void cron() {
    if (bgsave != null || server.snapshot != null || loading) {
      return;
    }
    if (bgsaveScheduled) {
      bgsaveScheduled = false;
      startBgsave();
      return;
    }
    long now = server.clock.millis();
    for (long[] point : savePoints()) {
      boolean retryOk = lastBgsaveOk || now - lastBgsaveTryMillis > BGSAVE_RETRY_DELAY_MILLIS;
      if (server.dirty >= point[1] && now / 1000 - server.lastSaveSeconds > point[0] && retryOk) {
        log.info("{} changes in {} seconds. Saving...", point[1], point[0]);
        startBgsave();
        return;
      }
    }
  }

  List<long[]> savePoints() {
    return server.config.save;
  }

  /** MISCONF: writes are refused while the last background save failed (stop-writes-on-bgsave-error). */
  public boolean refuseWrites() {
    return !lastBgsaveOk && server.config.stopWritesOnBgsaveError && !savePoints().isEmpty();
  }

  // ---- loading -------------------------------------------------------------------------------

  /** Enters the loading state (INFO persistence's loading_* fields) for a load of {@code totalBytes}. */
  public void startLoading(long totalBytes) {
    loading = true;
    loadingStartSeconds = server.clock.millis() / 1000;
    loadingTotalBytes = totalBytes;
    loadingLoadedBytes = 0;
    loadingRdbUsedMem = 0;
    lastLoadKeysLoaded = 0;
    lastLoadKeysExpired = 0;
  }

  public void stopLoading() {
    loading = false;
    asyncLoading = false;
  }

  /**
   * Loads {@code dbfilename} if it exists (server start), in slices on the event loop (clients are
   * served between them, see {@link SlicedLoad}); then calls {@code done} with false when the file
   * is corrupt: the server must not start (and never overwrite the file).
   */
  public void loadAtStartup(Consumer<Boolean> done) {
    File f = file();
    if (!f.exists()) {
      done.accept(true);
      return;
    }
    long start = System.nanoTime();
    startLoading(f.length());
    InputStream in;
    RdbLoader.Incremental inc;
    try {
      in = new FileInputStream(f);
    } catch (IOException e) {
      stopLoading();
      log.error("Fatal error loading the DB {}: {}. Exiting.", f.getAbsolutePath(), e.getMessage());
      done.accept(false);
      return;
    }
    try {
      inc = RdbLoader.begin(server, in, server.replicaOfMaster);
    } catch (RdbException | IOException e) {
      closeQuietly(in);
      stopLoading();
      log.error("Fatal error loading the DB {}: {}. Exiting.", f.getAbsolutePath(), e.getMessage());
      done.accept(false);
      return;
    }
    new SlicedLoad(server, rdbSteps(inc), 0, () -> {
      closeQuietly(in);
      lastLoadKeysLoaded = inc.result.keysLoaded;
      lastLoadKeysExpired = inc.result.keysExpired;
      stopLoading();
      log.info("Done loading RDB, keys loaded: {}, keys expired: {}.", inc.result.keysLoaded, inc.result.keysExpired);
      log.info("DB loaded from disk: {} seconds", String.format("%.3f", (System.nanoTime() - start) / 1e9));
      done.accept(true);
    }, e -> {
      closeQuietly(in);
      stopLoading();
      log.error("Fatal error loading the DB {}: {}. Exiting.", f.getAbsolutePath(), e.getMessage());
      server.flush(-1);
      done.accept(false);
    }).start();
  }

  /** The steps of an RDB load, keeping the loading_* and rdb_last_load_* fields current. */
  public SlicedLoad.Steps rdbSteps(RdbLoader.Incremental inc) {
    return new SlicedLoad.Steps() {
      private boolean usedMemSeen;

      @Override
      public boolean step() throws IOException {
        boolean more = inc.step();
        lastLoadKeysLoaded = inc.result.keysLoaded;
        lastLoadKeysExpired = inc.result.keysExpired;
        if (!usedMemSeen) {
          String used = inc.result.aux.get("used-mem");
          if (used != null) {
            usedMemSeen = true;
            try {
              loadingRdbUsedMem = Long.parseLong(used);
            } catch (NumberFormatException e) {
              loadingRdbUsedMem = 0;
            }
          }
        }
        return more;
      }

      @Override
      public long offset() {
        return inc.offset();
      }
    };
  }

  public static void closeQuietly(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      // nothing to do: the file was only read
    }
  }

  public void shutdown() {
    io.shutdown();
    try {
      io.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** For tests: the path of the dump file. */
  public Path path() {
    return file().toPath();
  }
}
