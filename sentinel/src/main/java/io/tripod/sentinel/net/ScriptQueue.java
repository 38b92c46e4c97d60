package io.tripod.sentinel.net;

import io.tripod.sentinel.core.Level;
import io.tripod.sentinel.core.Timers;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;

/**
 * Sentinel's user-script jobs (notification-script, client-reconfig-script), with Redis 7.0's
 * semantics: a queue of at most {@value #MAX_QUEUE} jobs (the oldest job not running is dropped
 * beyond that), at most {@value #MAX_RUNNING} running at once, oldest first. A job whose script
 * exits with code 1 or is killed by a signal is retried, at most {@value #MAX_RETRY} runs in
 * all, after {@code script-retry-delay} doubled for every further retry (30 s, 60 s, 2 min...);
 * any other non-zero exit is reported ({@code -script-error <path> <signal> <exit>}) and the job
 * dropped. A script still running after {@code script-max-runtime} is killed with SIGKILL
 * ({@code -script-timeout <path> <pid>}) and then counts as killed by a signal. A script that
 * cannot be started counts as exit code 2 (Redis's child exits 2 when execve fails: no retry).
 *
 * <p>Owned by the sentinel's event loop thread: {@link #schedule} is called while performing the
 * core's actions and {@link #run} on every tick (as Redis's sentinelTimer runs, collects and kills).
 * A terminated child is noticed at the next tick (Redis collects with waitpid there too). Java
 * reports a child killed by signal N as exit value 128+N; such values are read as the signal.
 */
final class ScriptQueue {
  static final int MAX_QUEUE = 256;
  static final int MAX_RUNNING = 16;
  static final int MAX_RETRY = 10;

  /** Reports the script events ({@code -script-error}, {@code -script-timeout}, debug lines). */
  interface Events {
    void event(Level level, String type, String message);
  }

  static final class Job {
    final List<String> argv;
    boolean running;
    int retryNum;
    /** Running: when it started. Scheduled: not before this time (0 = at once). */
    long startTime;
    long pid;
    Process process;
    /** Set when the script could not be started: collected like a child that exited 2. */
    boolean startFailed;

    Job(List<String> argv) {
      this.argv = List.copyOf(argv);
    }
  }

  private final LinkedList<Job> queue = new LinkedList<>();
  private final Timers timers;
  private final Events events;
  private int running;

  ScriptQueue(Timers timers, Events events) {
    this.timers = timers;
    this.events = events;
  }

  /** sentinelScheduleScriptExecution: {@code argv[0]} is the script path. */
  void schedule(List<String> argv) {
    queue.addLast(new Job(argv));
    if (queue.size() > MAX_QUEUE) {
      for (Iterator<Job> it = queue.iterator(); it.hasNext(); ) {
        if (!it.next().running) {
          it.remove();
          break;
        }
      }
    }
  }

  /** One timer pass: start pending jobs, collect terminated ones, kill those over the runtime. */
  void run(long now) {
    runPending(now);
    collectTerminated(now);
    killTimedOut(now);
  }

  private void runPending(long now) {
    for (Job j : queue) {
      if (running >= MAX_RUNNING) break;
      if (j.running) continue;
      if (j.startTime != 0 && j.startTime > now) continue;
      j.running = true;
      j.startTime = now;
      j.retryNum++;
      j.startFailed = false;
      try {
        j.process = new ProcessBuilder(j.argv).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectInput(ProcessBuilder.Redirect.INHERIT)
            .start();
        j.pid = j.process.pid();
        events.event(Level.DEBUG, "+script-child", Long.toString(j.pid));
      } catch (IOException | RuntimeException e) {
        // Redis forks, then the child's execve fails and it exits 2: collected as such.
        j.process = null;
        j.pid = 0;
        j.startFailed = true;
      }
      running++;
    }
  }

  private void collectTerminated(long now) {
    for (Iterator<Job> it = queue.iterator(); it.hasNext(); ) {
      Job j = it.next();
      if (!j.running) continue;
      int exitCode;
      int bySignal;
      if (j.startFailed) {
        exitCode = 2;
        bySignal = 0;
      } else if (j.process.isAlive()) {
        continue;
      } else {
        int v = j.process.exitValue();
        bySignal = v > 128 ? v - 128 : 0;
        exitCode = v > 128 ? 0 : v;
        events.event(Level.DEBUG, "-script-child", j.pid + " " + exitCode + " " + bySignal);
      }
      running--;
      if ((bySignal != 0 || exitCode == 1) && j.retryNum != MAX_RETRY) {
        j.running = false;
        j.pid = 0;
        j.process = null;
        j.startTime = now + retryDelay(j.retryNum);
      } else {
        if (bySignal != 0 || exitCode != 0) {
          events.event(Level.WARNING, "-script-error", j.argv.get(0) + " " + bySignal + " " + exitCode);
        }
        it.remove();
      }
    }
  }

  private void killTimedOut(long now) {
    for (Job j : queue) {
      if (j.running && j.process != null && j.process.isAlive() && now - j.startTime > timers.scriptMaxRuntime) {
        events.event(Level.WARNING, "-script-timeout", j.argv.get(0) + " " + j.pid);
        j.process.destroyForcibly();
      }
    }
  }

  /** sentinelScriptRetryDelay: the retry delay, doubled for every retry after the first. */
  long retryDelay(int retryNum) {
    long delay = timers.scriptRetryDelay;
    while (retryNum-- > 1) delay *= 2;
    return delay;
  }

  int runningCount() {
    return running;
  }

  int length() {
    return queue.size();
  }

  /** A snapshot of the queue, oldest first (SENTINEL PENDING-SCRIPTS). */
  List<Job> jobs() {
    return new ArrayList<>(queue);
  }

  /** Kills every running script (sentinel shutdown); Redis leaves them, but our JVM may be a test's. */
  void killAll() {
    for (Job j : queue) {
      if (j.process != null && j.process.isAlive()) j.process.destroyForcibly();
    }
  }
}
