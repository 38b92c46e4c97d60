package io.tripod.server.repl;

import io.tripod.server.Server;
import io.tripod.server.db.Database;
import io.tripod.server.db.KeyEntry;
import io.tripod.server.rdb.Rdb;
import io.tripod.server.rdb.RdbWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A point-in-time RDB of the whole dataset, produced without stopping the server and without
 * fork: Tripod's answer to Redis's {@code BGSAVE} child process.
 *
 * <p><b>How the point in time holds.</b> The snapshot has an epoch E. It walks every database with
 * the SCAN cursor in small slices on the event loop, between client commands, writing each entry
 * stamped below E and stamping it E. Before any command changes an entry (in place, by a new
 * value, a new TTL, or deletion), the server calls {@link #beforeWrite}: if the entry is still
 * stamped below E it is written first, so the file gets its value from the instant the snapshot
 * began. Entries created after the start are stamped E and never written. SCAN's guarantee (every
 * entry present for the whole walk is visited at least once, despite rehashing) and the stamps
 * (no entry written twice) make the result exactly the dataset at the start. RDB allows SELECTDB
 * to repeat, so an entry of another database written by {@link #beforeWrite} is simply preceded
 * by a SELECTDB.
 *
 * <p><b>Cost.</b> Commands pay only for the first change to a not-yet-written key (its
 * serialization); the walk takes at most {@code sliceMillis} per turn of the loop and yields
 * while the output is backpressured, so command latency stays low during a full sync of millions
 * of keys. Memory: the serialized bytes, written out as they are produced.
 *
 * <p>Thread safety: event-loop owned; the sink may hand bytes to other threads.
 */
public final class Snapshot {
  private static final Logger log = LoggerFactory.getLogger(Snapshot.class);

  /** Where the RDB bytes go. */
  public interface Sink {
    /** Takes a chunk (ownership passes to the sink). */
    void write(byte[] chunk, int len);

    /** True while the consumer is behind; the walk waits. */
    boolean backpressured();

    /** The RDB is complete ({@code ok}) or was aborted. */
    void done(boolean ok);
  }

  private static final int CHUNK_BYTES = 64 * 1024;
  private static final long SLICE_NANOS = 1_000_000L;

  private final Server server;
  public final int epoch;
  private final Sink sink;
  private final RdbWriter writer;
  /** Non-null for an AOF base in command form ({@code aof-use-rdb-preamble no}): no RDB is written. */
  private io.tripod.server.persist.AofBaseWriter commands;
  private final ChunkStream stream;
  private int dbIndex;
  private long cursor;
  private int streamDb = -1;
  private boolean finished;
  private final List<Runnable> onDone = new ArrayList<>();
  public long keysWritten;
  public final long startedMillis;
  /** True when this snapshot is an AOF base (its aux field {@code aof-base} says 1). */
  public boolean aofBase;

  public Snapshot(Server server, int epoch, Sink sink, boolean compress, boolean checksum) {
    this.server = server;
    this.epoch = epoch;
    this.sink = sink;
    this.stream = new ChunkStream();
    this.writer = new RdbWriter(stream, compress, checksum);
    this.startedMillis = server.clock.millis();
  }

  /** Makes this snapshot write commands (an AOF base without RDB preamble); call before start. */
  public void commandForm() {
    commands = new io.tripod.server.persist.AofBaseWriter(stream);
  }

  /** Writes the header and AUX fields, then starts walking on the event loop. */
  public void start(String replId, long replOffset, int replStreamDb) {
    try {
      if (commands != null) {
        for (Database db : server.databases()) {
          db.newEntryEpoch = epoch;
        }
        server.execute(this::step);
        return;
      }
      writer.writeHeader();
      writer.writeAux("redis-ver", Server.REDIS_VERSION);
      writer.writeAux("redis-bits", "64");
      writer.writeAux("ctime", Long.toString(server.clock.millis() / 1000));
      writer.writeAux("used-mem", Long.toString(Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()));
      if (replId != null) {
        writer.writeAux("repl-stream-db", Integer.toString(Math.max(0, replStreamDb)));
        writer.writeAux("repl-id", replId);
        writer.writeAux("repl-offset", Long.toString(replOffset));
      }
      writer.writeAux("aof-base", aofBase ? "1" : "0");
    } catch (IOException e) {
      fail(e);
      return;
    }
    for (Database db : server.databases()) {
      db.newEntryEpoch = epoch;
    }
    server.execute(this::step);
  }

  public boolean isFinished() {
    return finished;
  }

  public void onDone(Runnable r) {
    onDone.add(r);
  }

  /** One slice of the walk: databases in order, each with the SCAN cursor. */
  private void step() {
    if (finished) {
      return;
    }
    if (sink.backpressured()) {
      server.schedule(this::step, 1, TimeUnit.MILLISECONDS);
      return;
    }
    long deadline = System.nanoTime() + SLICE_NANOS;
    Database[] dbs = server.databases();
    try {
      while (System.nanoTime() < deadline && !sink.backpressured()) {
        if (dbIndex >= dbs.length) {
          finish();
          return;
        }
        Database db = dbs[dbIndex];
        if (!dbHeaderWritten) {
          if (db.size() == 0) {
            dbIndex++;
            continue;
          }
          if (commands != null) {
            commands.select(db.id);
          } else {
            writer.writeSelectDb(db.id, db.size(), db.expiresSize());
          }
          streamDb = db.id;
          dbHeaderWritten = true;
        }
        if (streamDb != db.id) {
          selectDb(db.id);
        }
        cursor = db.scan(cursor, this::visit);
        if (cursor == 0) {
          dbIndex++;
          dbHeaderWritten = false;
        }
      }
    } catch (IOException | IllegalStateException e) {
      fail(e);
      return;
    }
    stream.flushChunk();
    // The next slice goes through the scheduled-task queue, not execute(): Netty runs tasks that
    // execute() queues in the same batch (for up to its task quantum) before it polls the
    // sockets again, so a self-queueing walk would starve every client until the snapshot ends.
    // A due scheduled task waits for the next turn of the loop, after the I/O.
    server.schedule(this::step, 0, TimeUnit.MILLISECONDS);
  }

  private boolean dbHeaderWritten;

  private void visit(KeyEntry e) {
    if (e.snapshotEpoch >= epoch) {
      return;
    }
    e.snapshotEpoch = epoch;
    try {
      writeEntry(e);
      keysWritten++;
    } catch (IOException ex) {
      throw new IllegalStateException(ex);
    }
  }

  private void writeEntry(KeyEntry e) throws IOException {
    if (commands != null) {
      commands.writeEntry(e);
    } else {
      writer.writeEntry(e);
    }
  }

  private void selectDb(int id) throws IOException {
    if (commands != null) {
      commands.select(id);
    } else {
      writer.writeByte(Rdb.OPCODE_SELECTDB);
      writer.writeLength(id);
    }
    streamDb = id;
  }

  /**
   * Called before {@code e} of {@code db} changes in any way (value, TTL, deletion): writes its
   * current form first if the walk has not yet.
   */
  public void beforeWrite(Database db, KeyEntry e) {
    if (finished || e.snapshotEpoch >= epoch) {
      return;
    }
    try {
      if (streamDb != db.id) {
        selectDb(db.id);
      }
      e.snapshotEpoch = epoch;
      writeEntry(e);
      keysWritten++;
    } catch (IOException ex) {
      fail(ex);
    }
  }

  /** Before FLUSHDB/FLUSHALL/SWAPDB empties or swaps {@code db}: writes what is left of it. */
  public void beforeBulkChange(Database db) {
    if (finished) {
      return;
    }
    db.forEach(e -> beforeWrite(db, e));
  }

  private void finish() throws IOException {
    if (commands == null) {
      writer.writeEof();
    }
    stream.flushChunk();
    finished = true;
    for (Database db : server.databases()) {
      db.newEntryEpoch = 0;
    }
    log.info("Snapshot of {} keys done ({} bytes)", keysWritten, bytesWritten());
    sink.done(true);
    for (Runnable r : onDone) {
      r.run();
    }
  }

  /** Stops the snapshot (all its consumers went away, or an error). */
  public void abort() {
    if (!finished) {
      finished = true;
      for (Database db : server.databases()) {
        db.newEntryEpoch = 0;
      }
      sink.done(false);
      for (Runnable r : onDone) {
        r.run();
      }
    }
  }

  private void fail(Exception e) {
    log.warn("Snapshot failed: {}", e.toString());
    abort();
  }

  public long bytesWritten() {
    return commands != null ? commands.bytesWritten() : writer.bytesWritten();
  }

  /** Buffers writer output into chunks handed to the sink. */
  private final class ChunkStream extends OutputStream {
    private byte[] buf = new byte[CHUNK_BYTES];
    private int len;

    @Override
    public void write(int b) {
      if (len == buf.length) {
        flushChunk();
      }
      buf[len++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int n) {
      while (n > 0) {
        if (len == buf.length) {
          flushChunk();
        }
        int k = Math.min(n, buf.length - len);
        System.arraycopy(b, off, buf, len, k);
        len += k;
        off += k;
        n -= k;
      }
    }

    void flushChunk() {
      if (len > 0) {
        sink.write(buf, len);
        buf = new byte[CHUNK_BYTES];
        len = 0;
      }
    }
  }
}
