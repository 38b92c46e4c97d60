package io.tripod.server.persist;

import io.tripod.resp.ProtocolException;
import io.tripod.resp.RequestDecoder;
import io.tripod.server.Client;
import io.tripod.server.Server;
import io.tripod.server.rdb.RdbException;
import io.tripod.server.repl.RdbLoader;
import io.tripod.server.repl.Snapshot;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only file, as Redis 7.0's multi-part AOF: a directory ({@code appenddirname}) with a
 * base file (an RDB, {@code aof-use-rdb-preamble}), incremental files of RESP commands, and a
 * manifest naming them in order ({@code file appendonly.aof.1.base.rdb seq 1 type b}; with
 * {@code aof-use-rdb-preamble no} the base is {@code appendonly.aof.1.base.aof}, commands, see
 * {@link AofBaseWriter}). The same
 * layout as Redis, so each server loads the other's files and redis-check-aof accepts Tripod's.
 *
 * <p><b>Durability contract.</b> Writes applied during a batch are appended to a buffer; before the
 * batch's replies are written ({@link #flushBeforeReplies}) the buffer is written to the incr
 * file, and with {@code appendfsync always} fsync'd: a reply is never sent for a write that is not
 * on disk. With {@code everysec} a background thread fsyncs once a second (at most about a second
 * lost on power failure; a process crash loses nothing written). If a write or fsync fails, the
 * replies of that batch are dropped and their connections closed (never acknowledged), and later
 * writes are refused with {@code -MISCONF Errors writing to the AOF file: ...} until a write
 * succeeds again.
 *
 * <p><b>Rewrite.</b> BGREWRITEAOF opens a new incr file at once (new writes go there) and writes a
 * new base from a forkless {@link Snapshot}; when the base is on disk the manifest is replaced
 * atomically and the old files are deleted.
 *
 * <p>Thread safety: event-loop owned, except the fsync thread which only forces the channel.
 */
public final class Aof {
  private static final Logger log = LoggerFactory.getLogger(Aof.class);

  private final Server server;
  private final ScheduledExecutorService io = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "tripod-aof-io");
    t.setDaemon(true);
    return t;
  });

  public boolean enabled;
  public boolean loading;
  private FileChannel incr;
  /** The batch's commands, RESP-encoded: {@code buf[0, bufLen)}; reused from batch to batch. */
  private byte[] buf = new byte[INITIAL_BUFFER];
  private int bufLen;
  private static final int INITIAL_BUFFER = 64 * 1024;
  private static final byte[] SELECT = "SELECT".getBytes(StandardCharsets.US_ASCII);
  private int selectedDb = -1;
  private int seq;
  private String baseName;
  private final List<String> incrNames = new ArrayList<>();
  private final List<String> historyNames = new ArrayList<>();
  /** Sticky write failure: set by a failed write/fsync, cleared by the next good one. */
  private volatile String writeError;
  private volatile boolean fsyncPending;
  public long currentSize;
  public long baseSize;
  public boolean rewriteInProgress;
  public boolean rewriteScheduled;
  public long rewrites;
  public long lastRewriteTimeSec = -1;
  public boolean lastRewriteOk = true;
  private long rewriteStartMillis;
  /** The base name's ending of the running rewrite (the preamble setting when it started). */
  private String rewriteBaseSuffix = ".base.rdb";

  public Aof(Server server) {
    this.server = server;
  }

  File dir() {
    return new File(server.config.dir, server.config.appenddirname);
  }

  private File manifestFile() {
    return new File(dir(), server.config.appendfilename + ".manifest");
  }

  public String lastWriteStatus() {
    return writeError == null ? "ok" : "err";
  }

  public String writeError() {
    return writeError;
  }

  // ---- start ---------------------------------------------------------------------------------

  /**
   * At server start with {@code appendonly yes}: loads the files the manifest names (in slices on
   * the event loop, clients get -LOADING meanwhile), or, when there is no AOF yet, writes a base
   * from the current data. {@code done} gets false when a file is corrupt (the server must not
   * start).
   */
  public void startAtBoot(Consumer<Boolean> done) {
    if (!server.config.appendonly) {
      done.accept(true);
      return;
    }
    File manifest = manifestFile();
    if (!manifest.exists()) {
      try {
        createFresh();
      } catch (IOException e) {
        log.error("Can't create the append-only file: {}", e.getMessage());
        done.accept(false);
        return;
      }
      done.accept(true);
      return;
    }
    try {
      if (!readManifest(manifest)) {
        done.accept(false);
        return;
      }
    } catch (IOException e) {
      log.error("Can't read the AOF manifest {}: {}", manifest, e.getMessage());
      done.accept(false);
      return;
    }
    List<File> files = filesToLoad();
    server.rdb.startLoading(totalSize(files));
    loading = true;
    long start = System.nanoTime();
    loadFrom(files, 0, 0, ok -> {
      loading = false;
      server.rdb.stopLoading();
      if (!ok) {
        done.accept(false);
        return;
      }
      log.info("DB loaded from append only file: {} seconds", String.format("%.3f", (System.nanoTime() - start) / 1e9));
      try {
        openIncr(incrNames.get(incrNames.size() - 1), true);
      } catch (IOException e) {
        log.error("Can't open the append-only file: {}", e.getMessage());
        done.accept(false);
        return;
      }
      enableWrites();
      done.accept(true);
    });
  }

  /**
   * CONFIG SET appendonly yes: the same as at start, synchronously. Returns false when a file is
   * corrupt.
   */
  public boolean startAtBoot() throws IOException {
    if (!server.config.appendonly) {
      return true;
    }
    File manifest = manifestFile();
    if (!manifest.exists()) {
      createFresh();
      return true;
    }
    if (!readManifest(manifest)) {
      return false;
    }
    loading = true;
    try {
      for (File f : filesToLoad()) {
        Load l = open(f, false);
        if (l == null) {
          return false;
        }
        try {
          while (l.steps.step()) {
            // synchronously
          }
          if (!l.finish()) {
            return false;
          }
        } catch (Exception e) {
          l.fail(e);
          return false;
        } finally {
          l.close();
        }
      }
    } finally {
      loading = false;
    }
    openIncr(incrNames.get(incrNames.size() - 1), true);
    enableWrites();
    return true;
  }

  private void createFresh() throws IOException {
    if (!dir().exists() && !dir().mkdirs()) {
      throw new IOException("Can't create the AOF directory " + dir());
    }
    seq = 1;
    baseName = server.config.appendfilename + "." + seq + baseSuffix(server.config.aofUseRdbPreamble);
    writeBaseSynchronously(new File(dir(), baseName), server.config.aofUseRdbPreamble);
    String incrName = server.config.appendfilename + "." + seq + ".incr.aof";
    incrNames.clear();
    incrNames.add(incrName);
    openIncr(incrName, false);
    writeManifest();
    enableWrites();
  }

  private boolean fsyncScheduled;

  private void enableWrites() {
    enabled = true;
    if (!fsyncScheduled) {
      fsyncScheduled = true;
      io.scheduleAtFixedRate(this::fsyncEverySec, 1, 1, TimeUnit.SECONDS);
    }
  }

  /** Redis 7.0's base names: {@code .base.rdb} with the RDB preamble, {@code .base.aof} without. */
  static String baseSuffix(boolean rdbPreamble) {
    return rdbPreamble ? ".base.rdb" : ".base.aof";
  }

  private void writeBaseSynchronously(File base, boolean rdbPreamble) throws IOException {
    // At start nothing else runs: write the current dataset (usually empty) directly.
    try (java.io.FileOutputStream fos = new java.io.FileOutputStream(base);
        java.io.BufferedOutputStream out = new java.io.BufferedOutputStream(fos)) {
      if (!rdbPreamble) {
        AofBaseWriter w = new AofBaseWriter(out);
        for (io.tripod.server.db.Database db : server.databases()) {
          if (db.size() == 0) {
            continue;
          }
          w.select(db.id);
          List<io.tripod.server.db.KeyEntry> all = new ArrayList<>();
          db.forEach(all::add);
          for (io.tripod.server.db.KeyEntry e : all) {
            w.writeEntry(e);
          }
        }
        out.flush();
        fos.getFD().sync();
        baseSize = base.length();
        return;
      }
      io.tripod.server.rdb.RdbWriter w = new io.tripod.server.rdb.RdbWriter(out, server.config.rdbcompression,
          server.config.rdbchecksum);
      w.writeHeader();
      w.writeAux("redis-ver", Server.REDIS_VERSION);
      w.writeAux("redis-bits", "64");
      w.writeAux("ctime", Long.toString(server.clock.millis() / 1000));
      w.writeAux("used-mem", "0");
      w.writeAux("aof-base", "1");
      for (io.tripod.server.db.Database db : server.databases()) {
        if (db.size() == 0) {
          continue;
        }
        w.writeSelectDb(db.id, db.size(), db.expiresSize());
        List<io.tripod.server.db.KeyEntry> all = new ArrayList<>();
        db.forEach(all::add);
        for (io.tripod.server.db.KeyEntry e : all) {
          w.writeEntry(e);
        }
      }
      w.writeEof();
      out.flush();
      fos.getFD().sync();
    }
    baseSize = base.length();
  }

  private void openIncr(String name, boolean append) throws IOException {
    if (incr != null) {
      incr.close();
    }
    File f = new File(dir(), name);
    incr = FileChannel.open(f.toPath(), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING);
    if (append) {
      incr.position(incr.size());
    }
    selectedDb = -1;
    currentSize = baseSize + sizeOfIncrs();
  }

  private long sizeOfIncrs() {
    long n = 0;
    for (String s : incrNames) {
      n += new File(dir(), s).length();
    }
    return n;
  }

  private void writeManifest() throws IOException {
    StringBuilder sb = new StringBuilder();
    for (String h : historyNames) {
      sb.append("file ").append(h).append(" seq ").append(seqOf(h)).append(" type h\n");
    }
    sb.append("file ").append(baseName).append(" seq ").append(seqOf(baseName)).append(" type b\n");
    for (String i : incrNames) {
      sb.append("file ").append(i).append(" seq ").append(seqOf(i)).append(" type i\n");
    }
    File tmp = new File(dir(), "temp-" + manifestFile().getName());
    Files.writeString(tmp.toPath(), sb.toString(), StandardCharsets.US_ASCII);
    try (FileChannel ch = FileChannel.open(tmp.toPath(), StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    Files.move(tmp.toPath(), manifestFile().toPath(), StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }

  private static int seqOf(String name) {
    String[] p = name.split("\\.");
    for (int i = p.length - 1; i >= 0; i--) {
      try {
        return Integer.parseInt(p[i]);
      } catch (NumberFormatException e) {
        // keep looking
      }
    }
    return 0;
  }

  // ---- the write path ------------------------------------------------------------------------

  /** A write to persist (called through the server's propagation, after it was applied). */
  public void feed(int dbId, byte[][] argv) {
    if (!enabled || loading) {
      return;
    }
    if (dbId != selectedDb) {
      appendCommand(new byte[][] {SELECT, Integer.toString(dbId).getBytes(StandardCharsets.US_ASCII)});
      selectedDb = dbId;
    }
    appendCommand(argv);
  }

  /** Encodes {@code argv} as a RESP multibulk straight into the batch buffer (no per-argument garbage). */
  private void appendCommand(byte[][] argv) {
    int need = 16;
    for (byte[] a : argv) {
      need += a.length + 16;
    }
    if (bufLen + need > buf.length) {
      buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, bufLen + need));
    }
    byte[] b = buf;
    int p = bufLen;
    b[p++] = '*';
    p = putDecimal(b, p, argv.length);
    b[p++] = '\r';
    b[p++] = '\n';
    for (byte[] a : argv) {
      b[p++] = '$';
      p = putDecimal(b, p, a.length);
      b[p++] = '\r';
      b[p++] = '\n';
      System.arraycopy(a, 0, b, p, a.length);
      p += a.length;
      b[p++] = '\r';
      b[p++] = '\n';
    }
    bufLen = p;
  }

  private static int putDecimal(byte[] b, int p, int v) {
    if (v < 10) {
      b[p] = (byte) ('0' + v);
      return p + 1;
    }
    int digits = 0;
    for (int x = v; x > 0; x /= 10) {
      digits++;
    }
    for (int i = p + digits - 1; i >= p; i--) {
      b[i] = (byte) ('0' + v % 10);
      v /= 10;
    }
    return p + digits;
  }

  /** Forgets the batch buffer's contents; a buffer grown by a huge batch is given back. */
  private void resetBuffer() {
    bufLen = 0;
    if (buf.length > 16 * INITIAL_BUFFER) {
      buf = new byte[INITIAL_BUFFER];
    }
  }

  /**
   * Writes the pending buffer (and fsyncs under {@code always}) before any reply of the batch goes
   * out: one write (and at most one fsync) per turn of the event loop, whatever the number of
   * clients and commands in it (group commit). Returns false when persistence failed: the caller
   * must not send the replies.
   */
  public boolean flushBeforeReplies() {
    if (!enabled) {
      return true;
    }
    if (retry.size() > 0) {
      // Bytes of a batch whose write failed (its replies were dropped): they go first, and while
      // they cannot be written nothing newer may be either.
      byte[] old = retry.toByteArray();
      if (!writeOut(old, old.length)) {
        if (bufLen > 0) {
          retry.write(buf, 0, bufLen);
          resetBuffer();
          return false;
        }
        return true; // this batch wrote nothing: its replies are errors or reads
      }
      retry.reset();
    }
    if (bufLen == 0) {
      return true;
    }
    if (!writeOut(buf, bufLen)) {
      retry.write(buf, 0, bufLen);
      resetBuffer();
      return false;
    }
    resetBuffer();
    return true;
  }

  /** Writes (and under {@code always} fsyncs) {@code data[0, len)}; false on an I/O error. */
  private boolean writeOut(byte[] data, int len) {
    try {
      ByteBuffer bb = ByteBuffer.wrap(data, 0, len);
      while (bb.hasRemaining()) {
        incr.write(bb);
      }
      if ("always".equals(server.config.appendfsync)) {
        incr.force(false);
      } else {
        fsyncPending = true;
      }
      currentSize += len;
      if (writeError != null) {
        log.info("AOF write error looks solved. Redis can write again.");
      }
      writeError = null;
      return true;
    } catch (IOException e) {
      writeError = e.getMessage() == null ? e.toString() : e.getMessage();
      log.warn("Error writing to the AOF file: {}", writeError);
      try {
        // A partial write must not leave half a command in the file.
        incr.truncate(currentSize - baseSize - sizeOfOtherIncrs());
      } catch (IOException ignored) {
        // the next successful write will be preceded by a load-time truncation repair at worst
      }
      return false;
    }
  }

  private long sizeOfOtherIncrs() {
    long n = 0;
    for (int i = 0; i < incrNames.size() - 1; i++) {
      n += new File(dir(), incrNames.get(i)).length();
    }
    return n;
  }

  private final ByteArrayOutputStream retry = new ByteArrayOutputStream();

  private void fsyncEverySec() {
    if (!fsyncPending || !"everysec".equals(server.config.appendfsync)) {
      return;
    }
    fsyncPending = false;
    try {
      FileChannel ch = incr;
      if (ch != null) {
        ch.force(false);
      }
    } catch (IOException e) {
      writeError = "fsync: " + e.getMessage();
      log.warn("Can't persist the AOF on disk: {}", e.getMessage());
    }
  }

  // ---- rewrite -------------------------------------------------------------------------------

  /** BGREWRITEAOF: returns null when started, else the error text. */
  public String rewrite(boolean fromUser) {
    if (!enabled) {
      return "ERR Background append only file rewriting is not possible while AOF is disabled";
    }
    if (rewriteInProgress) {
      return "ERR Background append only file rewriting already in progress";
    }
    if (server.snapshot != null) {
      rewriteScheduled = true;
      return "SCHEDULED";
    }
    try {
      flushBeforeReplies();
      seq++;
      String newIncr = server.config.appendfilename + "." + seq + ".incr.aof";
      incrNames.add(newIncr);
      openIncr(newIncr, false);
      writeManifest();
    } catch (IOException e) {
      log.warn("Can't open a new AOF incr file: {}", e.getMessage());
      lastRewriteOk = false;
      return "ERR Can't open the new AOF file";
    }
    int rewriteSeq = seq;
    File tmp = new File(dir(), "temp-rewriteaof-bg-" + ProcessHandle.current().pid() + ".aof");
    rewriteInProgress = true;
    rewriteStartMillis = server.clock.millis();
    Snapshot snap;
    try {
      snap = new Snapshot(server, server.nextSnapshotEpoch(), new BaseSink(tmp, rewriteSeq),
          server.config.rdbcompression, server.config.rdbchecksum);
    } catch (IOException e) {
      rewriteInProgress = false;
      return "ERR " + e.getMessage();
    }
    snap.aofBase = true;
    rewriteBaseSuffix = baseSuffix(server.config.aofUseRdbPreamble);
    if (!server.config.aofUseRdbPreamble) {
      snap.commandForm();
    }
    server.snapshot = snap;
    snap.onDone(() -> {
      server.snapshot = null;
      server.execute(server.repl::maybeStartSnapshot);
    });
    snap.start(null, 0, 0);
    log.info("Background append only file rewriting started");
    return null;
  }

  private final class BaseSink implements Snapshot.Sink {
    private final File tmp;
    private final int rewriteSeq;
    private final java.io.FileOutputStream fos;
    private final java.io.BufferedOutputStream out;
    private volatile IOException failure;

    BaseSink(File tmp, int rewriteSeq) throws IOException {
      this.tmp = tmp;
      this.rewriteSeq = rewriteSeq;
      this.fos = new java.io.FileOutputStream(tmp);
      this.out = new java.io.BufferedOutputStream(fos, 1 << 20);
    }

    @Override
    public void write(byte[] chunk, int len) {
      io.execute(() -> {
        try {
          if (failure == null) {
            out.write(chunk, 0, len);
          }
        } catch (IOException e) {
          failure = e;
        }
      });
    }

    @Override
    public boolean backpressured() {
      return false;
    }

    @Override
    public void done(boolean ok) {
      io.execute(() -> {
        boolean good = ok && failure == null;
        try {
          out.flush();
          fos.getFD().sync();
          out.close();
        } catch (IOException e) {
          good = false;
        }
        boolean result = good;
        server.execute(() -> rewriteDone(result, tmp, rewriteSeq));
      });
    }
  }

  private void rewriteDone(boolean ok, File tmp, int rewriteSeq) {
    rewriteInProgress = false;
    lastRewriteTimeSec = (server.clock.millis() - rewriteStartMillis) / 1000;
    if (!ok) {
      tmp.delete();
      lastRewriteOk = false;
      log.warn("Background AOF rewrite failed");
      return;
    }
    String newBase = server.config.appendfilename + "." + rewriteSeq + rewriteBaseSuffix;
    String newIncr = server.config.appendfilename + "." + rewriteSeq + ".incr.aof";
    List<String> old = new ArrayList<>();
    old.add(baseName);
    for (String i : incrNames) {
      if (!i.equals(newIncr)) {
        old.add(i);
      }
    }
    try {
      Files.move(tmp.toPath(), new File(dir(), newBase).toPath(), StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
      baseName = newBase;
      incrNames.clear();
      incrNames.add(newIncr);
      writeManifest();
    } catch (IOException e) {
      lastRewriteOk = false;
      log.warn("Error trying to rename the temporary AOF base file: {}", e.getMessage());
      return;
    }
    for (String o : old) {
      new File(dir(), o).delete();
    }
    baseSize = new File(dir(), baseName).length();
    currentSize = baseSize + sizeOfIncrs();
    rewrites++;
    lastRewriteOk = true;
    log.info("Background AOF rewrite finished successfully");
  }

  /** Auto rewrite and scheduled rewrites, from the cron. */
  public void cron() {
    if (!enabled || rewriteInProgress || server.snapshot != null) {
      return;
    }
    if (rewriteScheduled) {
      rewriteScheduled = false;
      rewrite(false);
      return;
    }
    int perc = server.config.autoAofRewritePercentage;
    if (perc > 0 && currentSize > server.config.autoAofRewriteMinSize) {
      long base = Math.max(1, baseSize);
      long growth = (currentSize * 100 / base) - 100;
      if (growth >= perc) {
        log.info("Starting automatic rewriting of AOF on {}% growth", growth);
        rewrite(false);
      }
    }
  }

  // ---- loading -------------------------------------------------------------------------------

  /** Reads the manifest into {@link #baseName}, {@link #incrNames}, {@link #historyNames}. */
  private boolean readManifest(File manifest) throws IOException {
    baseName = null;
    incrNames.clear();
    historyNames.clear();
    for (String line : Files.readAllLines(manifest.toPath(), StandardCharsets.US_ASCII)) {
      line = line.trim();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] p = line.split("\\s+");
      String name = null;
      String type = null;
      for (int i = 0; i + 1 < p.length; i += 2) {
        if (p[i].equals("file")) {
          name = p[i + 1];
        } else if (p[i].equals("type")) {
          type = p[i + 1];
        } else if (p[i].equals("seq")) {
          seq = Math.max(seq, Integer.parseInt(p[i + 1]));
        }
      }
      if (name == null || type == null) {
        log.error("Invalid AOF manifest file format: '{}'", line);
        return false;
      }
      switch (type) {
        case "b": baseName = name; break;
        case "i": incrNames.add(name); break;
        case "h": historyNames.add(name); break;
        default:
          log.error("Unknown AOF file type '{}' in the manifest", type);
          return false;
      }
    }
    if (incrNames.isEmpty()) {
      incrNames.add(server.config.appendfilename + "." + Math.max(1, seq) + ".incr.aof");
    }
    return true;
  }

  /** The base (if any) then the incr files that exist, in load order. */
  private List<File> filesToLoad() {
    List<File> files = new ArrayList<>();
    if (baseName != null) {
      File base = new File(dir(), baseName);
      baseSize = base.length();
      files.add(base);
    }
    for (String i : incrNames) {
      File f = new File(dir(), i);
      if (f.exists()) {
        files.add(f);
      }
    }
    return files;
  }

  private static long totalSize(List<File> files) {
    long n = 0;
    for (File f : files) {
      n += f.length();
    }
    return n;
  }

  /** Loads {@code files[i..]} one after the other, each in slices. */
  private void loadFrom(List<File> files, int i, long bytesBefore, Consumer<Boolean> done) {
    if (i == files.size()) {
      done.accept(true);
      return;
    }
    File f = files.get(i);
    Load l;
    try {
      l = open(f, i == files.size() - 1);
    } catch (IOException e) {
      log.error("Can't read the append only file {}: {}", f.getName(), e.getMessage());
      done.accept(false);
      return;
    }
    if (l == null) {
      done.accept(false);
      return;
    }
    new SlicedLoad(server, l.steps, bytesBefore, () -> {
      l.close();
      boolean ok;
      try {
        ok = l.finish();
      } catch (IOException e) {
        log.error("Can't truncate the append only file {}: {}", f.getName(), e.getMessage());
        ok = false;
      }
      if (!ok) {
        done.accept(false);
        return;
      }
      loadFrom(files, i + 1, bytesBefore + f.length(), done);
    }, e -> {
      l.close();
      l.fail(e);
      done.accept(false);
    }).start();
  }

  /** One file being loaded: an RDB base or a file of commands. */
  private abstract static class Load {
    SlicedLoad.Steps steps;

    /** After the last step: false when the file is unusable. */
    abstract boolean finish() throws IOException;

    /** Logs why a step failed. */
    abstract void fail(Exception e);

    abstract void close();
  }

  /** Opens {@code f} for loading; null (logged) when it cannot be. */
  private Load open(File f, boolean last) throws IOException {
    if (isRdb(f)) {
      InputStream in = new FileInputStream(f);
      RdbLoader.Incremental inc;
      try {
        inc = RdbLoader.begin(server, in, false);
      } catch (RdbException | IOException e) {
        RdbPersistence.closeQuietly(in);
        log.error("Bad file format reading the append only file {}: {}", f.getName(), e.getMessage());
        return null;
      }
      Load l = new Load() {
        @Override
        boolean finish() {
          log.info("DB loaded from base file {}", f.getName());
          return true;
        }

        @Override
        void fail(Exception e) {
          log.error("Bad file format reading the append only file {}: {}", f.getName(), e.getMessage());
        }

        @Override
        void close() {
          RdbPersistence.closeQuietly(in);
        }
      };
      l.steps = server.rdb.rdbSteps(inc);
      return l;
    }
    Replay r = new Replay(f, last);
    Load l = new Load() {
      @Override
      boolean finish() throws IOException {
        return r.finish();
      }

      @Override
      void fail(Exception e) {
        if (e instanceof ProtocolException) {
          log.error("Bad file format reading the append only file {}: make a backup of your AOF file, then use "
              + "./redis-check-aof --fix <filename.manifest> (at offset {})", f.getName(), r.offset());
        } else {
          log.error("Error replaying the append only file {} at offset {}: {}", f.getName(), r.offset(), e.toString());
        }
      }

      @Override
      void close() {
        // the bytes are in memory
      }
    };
    l.steps = r;
    return l;
  }

  private static boolean isRdb(File f) throws IOException {
    byte[] head = new byte[5];
    try (InputStream in = new FileInputStream(f)) {
      int n = in.read(head);
      return n == 5 && new String(head, StandardCharsets.US_ASCII).equals("REDIS");
    }
  }

  /**
   * Replays a file of RESP commands, one command per step. A truncated last command is cut off
   * (and the file truncated) when {@code aof-load-truncated} allows it and this is the last file;
   * anything else malformed is an error naming the file and offset.
   */
  private final class Replay implements SlicedLoad.Steps {
    private final File f;
    private final boolean last;
    private final byte[] all;
    private final ByteBuf in;
    private final RequestDecoder decoder = new RequestDecoder();
    private final Client loader;
    private long goodOffset;

    Replay(File f, boolean last) throws IOException {
      this.f = f;
      this.last = last;
      this.all = Files.readAllBytes(f.toPath());
      this.in = Unpooled.wrappedBuffer(all);
      decoder.setMaxBulkBytes(Long.MAX_VALUE);
      loader = server.newInternalClient();
      loader.isMaster = true; // the AOF is trusted like a master stream (sees expired keys, no replies)
      loader.replyMode = Client.ReplyMode.OFF;
    }

    @Override
    public boolean step() {
      if (!in.isReadable()) {
        return false;
      }
      byte[][] argv = decoder.decode(in);
      if (argv == null) {
        return false;
      }
      if (argv.length > 0) {
        server.process(loader, argv);
      }
      if (!loader.inMulti) {
        goodOffset = in.readerIndex();
      }
      return in.isReadable();
    }

    @Override
    public long offset() {
      return in.readerIndex();
    }

    boolean finish() throws IOException {
      if (goodOffset >= all.length) {
        return true;
      }
      if (last && server.config.aofLoadTruncated) {
        log.warn("!!! Warning: short read while loading the AOF file {}!!! AOF loaded anyway because "
            + "aof-load-truncated is enabled (truncated at offset {} of {})", f.getName(), goodOffset, all.length);
        try (RandomAccessFile raf = new RandomAccessFile(f, "rw")) {
          raf.setLength(goodOffset);
        }
        if (loader.inMulti) {
          server.discardTransaction(loader);
        }
        return true;
      }
      log.error("Unexpected end of file reading the append only file {} at offset {}. You can: 1) Make a "
          + "backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively "
          + "you can set the 'aof-load-truncated' configuration option to yes and restart the server.",
          f.getName(), goodOffset);
      return false;
    }
  }

  public void shutdown() {
    try {
      flushBeforeReplies();
      if (incr != null) {
        incr.force(true);
        incr.close();
      }
    } catch (IOException e) {
      log.warn("Error closing the AOF: {}", e.getMessage());
    }
    io.shutdown();
  }
}
