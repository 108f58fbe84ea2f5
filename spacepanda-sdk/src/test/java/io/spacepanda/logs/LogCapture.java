package io.spacepanda.logs;

import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.event.Level;

/**
 * The tests' log sink: SLF4J calls of the SDK land here through {@link CapturingLoggerProvider}.
 * Nothing is kept (and nothing is formatted) unless a test opened a capture; then the last
 * {@link #CAPACITY} lines at DEBUG and above are kept in memory, to be printed if the test fails.
 *
 * <p>That way a failure in CI, where only the console survives, leaves the node's own account of
 * what happened, while passing tests print nothing.
 */
public final class LogCapture {

  /** The most lines kept; older ones are dropped first. */
  public static final int CAPACITY = 20_000;

  private static final ArrayDeque<String> LINES = new ArrayDeque<>();
  private static final List<java.util.function.Supplier<String>> STATES = new ArrayList<>();
  private static volatile boolean active;

  private LogCapture() {}

  /** Starts keeping lines (dropping any kept before). */
  public static synchronized void start() {
    LINES.clear();
    active = true;
  }

  /** Stops keeping lines and forgets them. */
  public static synchronized void stop() {
    active = false;
    LINES.clear();
    STATES.clear();
  }

  /**
   * Adds a description of the test's state (e.g. each node's spaces and channels), printed after
   * the lines if the test fails; forgotten at {@link #stop()}.
   */
  public static synchronized void describeOnFailure(java.util.function.Supplier<String> state) {
    STATES.add(state);
  }

  /** @return whether lines at this level are kept now */
  static boolean enabled(Level level) {
    return active && level.toInt() >= Level.DEBUG.toInt();
  }

  static void add(Level level, String logger, String text, Throwable t) {
    if (!enabled(level)) {
      return;
    }
    String shortName = logger.substring(logger.lastIndexOf('.') + 1);
    String node = org.slf4j.MDC.get("spacepanda.node");
    StringBuilder line = new StringBuilder(160).append(Instant.now()).append(' ')
        .append(level).append(' ').append(node == null ? "-" : node).append(' ')
        .append(Thread.currentThread().getName()).append(' ').append(shortName).append(": ")
        .append(text);
    if (t != null) {
      line.append(" | ").append(t);
      StackTraceElement[] st = t.getStackTrace();
      for (int i = 0; i < Math.min(8, st.length); i++) {
        line.append("\n      at ").append(st[i]);
      }
    }
    synchronized (LogCapture.class) {
      if (LINES.size() == CAPACITY) {
        LINES.removeFirst();
      }
      LINES.addLast(line.toString());
    }
  }

  /** @return the kept lines, oldest first */
  public static synchronized List<String> lines() {
    return new ArrayList<>(LINES);
  }

  /** Prints the kept lines, framed, to {@code out}. */
  public static void dump(String title, PrintStream out) {
    List<String> lines = lines();
    out.println("===== " + title + ": the last " + lines.size() + " SDK log lines =====");
    lines.forEach(out::println);
    List<java.util.function.Supplier<String>> states;
    synchronized (LogCapture.class) {
      states = new ArrayList<>(STATES);
    }
    for (java.util.function.Supplier<String> state : states) {
      try {
        out.println(state.get());
      } catch (RuntimeException e) {
        out.println("(could not describe the state: " + e + ")");
      }
    }
    out.println("===== end of " + title + " =====");
    out.flush();
  }
}
