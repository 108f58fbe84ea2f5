package io.spacepanda.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * One {@link Chat} running in its own JVM, driven through its standard input and read through its
 * standard output, as a script would; every wait is bounded by {@link #TIMEOUT}.
 */
final class ChatProcess implements AutoCloseable {

  static final Duration TIMEOUT = Duration.ofSeconds(60);

  private static final ObjectMapper JSON = new ObjectMapper();

  final String name;
  private final Process process;
  private final Writer stdin;
  private final List<String> stdout = new ArrayList<>();
  private final StringBuffer stderr = new StringBuffer();

  private ChatProcess(String name, Process process) {
    this.name = name;
    this.process = process;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread out = new Thread(() -> pump(process.getInputStream(), this::addLine), name + "-stdout");
    Thread err = new Thread(
        () -> pump(process.getErrorStream(), l -> stderr.append(l).append('\n')), name + "-stderr");
    out.setDaemon(true);
    err.setDaemon(true);
    out.start();
    err.start();
  }

  /**
   * Starts {@code java io.spacepanda.examples.Chat args} with this JVM's test class path.
   *
   * @param name a label for failure messages
   * @param tmpDir the process's {@code java.io.tmpdir}, so that what it leaves there is the
   *     test's to delete
   * @param env extra environment variables
   * @param args the chat's arguments
   */
  static ChatProcess start(String name, Path tmpDir, Map<String, String> env, String... args)
      throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-Djava.io.tmpdir=" + tmpDir,
        "-Dorg.slf4j.simpleLogger.log.io.spacepanda=" + System.getProperty("spacepanda.chat.log", "warn"),
        "-cp", classPath(),
        Chat.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().putAll(env);
    return new ChatProcess(name, pb.start());
  }

  private static String classPath() {
    // Surefire may run tests from a manifest-only jar; it then names the real path here.
    String surefire = System.getProperty("surefire.test.class.path");
    return surefire != null && !surefire.isBlank()
        ? surefire : System.getProperty("java.class.path");
  }

  /** Writes one line to the chat's standard input. */
  void send(String line) throws IOException {
    stdin.write(line + "\n");
    stdin.flush();
  }

  /** Closes the chat's standard input: the end of input, which quits it. */
  void closeInput() throws IOException {
    stdin.close();
  }

  /** Returns the first output line matching {@code test}, waiting for it to appear. */
  String awaitLine(String what, Predicate<String> test) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    long exitGrace = 0;
    synchronized (stdout) {
      while (true) {
        for (String line : stdout) {
          if (test.test(line)) {
            return line;
          }
        }
        long left = deadline - System.nanoTime();
        if (!process.isAlive() && exitGrace == 0) {
          exitGrace = System.nanoTime() + TimeUnit.SECONDS.toNanos(1); // let the pipe drain
        }
        if (left <= 0 || exitGrace != 0 && System.nanoTime() - exitGrace > 0) {
          throw new AssertionError(name + ": no line with " + what + " within " + TIMEOUT
              + (process.isAlive() ? "" : " (process exited)") + "\n--- stdout:\n"
              + String.join("\n", stdout) + "\n--- stderr:\n" + stderr);
        }
        TimeUnit.NANOSECONDS.timedWait(stdout, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
      }
    }
  }

  /** Returns the first JSON event of a type whose fields match {@code test}. */
  JsonNode awaitEvent(String event, Predicate<JsonNode> test) throws InterruptedException {
    String line = awaitLine("event " + event, l -> {
      JsonNode n = parse(l);
      return n != null && event.equals(n.path("event").asText()) && test.test(n);
    });
    return parse(line);
  }

  /**
   * Returns the first JSON event of a type matching {@code test} among the output lines from
   * index {@code from} on (so that an answer printed before, identical, does not count).
   */
  JsonNode awaitEvent(String event, Predicate<JsonNode> test, int from) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    synchronized (stdout) {
      while (true) {
        for (int i = from; i < stdout.size(); i++) {
          JsonNode n = parse(stdout.get(i));
          if (n != null && event.equals(n.path("event").asText()) && test.test(n)) {
            return n;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0 || !process.isAlive()) {
          throw new AssertionError(name + ": no event " + event + " after line " + from + " within "
              + TIMEOUT + "\n--- stdout:\n" + String.join("\n", stdout) + "\n--- stderr:\n" + stderr);
        }
        TimeUnit.NANOSECONDS.timedWait(stdout, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
      }
    }
  }

  /** Returns the first JSON event of a type. */
  JsonNode awaitEvent(String event) throws InterruptedException {
    return awaitEvent(event, n -> true);
  }

  /** Returns this node's peer id, read from its first {@code listening on …/p2p/<id>} output. */
  String peerId() throws InterruptedException {
    String line = awaitLine("a listen address", l -> l.contains("/p2p/"));
    String id = line.substring(line.lastIndexOf("/p2p/") + "/p2p/".length());
    return id.endsWith("\"}") ? id.substring(0, id.length() - 2) : id;
  }

  /** Waits for the process to exit and returns its status. */
  int awaitExit() throws InterruptedException {
    if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError(
          name + " did not exit within " + TIMEOUT + "\n--- stderr:\n" + stderr);
    }
    return process.exitValue();
  }

  /** Returns what the process wrote to standard error so far. */
  String stderr() {
    return stderr.toString();
  }

  /** Returns a snapshot of the output lines so far. */
  List<String> lines() {
    synchronized (stdout) {
      return List.copyOf(stdout);
    }
  }

  /** Kills the process at once (SIGKILL on Linux): no shutdown hook, no flush, like a crash. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** Stops the process if it still runs: politely (its shutdown hook closes the node), then not. */
  @Override
  public void close() {
    try {
      if (process.isAlive()) {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(10, TimeUnit.SECONDS);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  private void addLine(String line) {
    synchronized (stdout) {
      stdout.add(line);
      stdout.notifyAll();
    }
  }

  private static JsonNode parse(String line) {
    if (!line.startsWith("{")) {
      return null;
    }
    try {
      return JSON.readTree(line);
    } catch (IOException e) {
      return null;
    }
  }

  private static void pump(InputStream in, Consumer<String> sink) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        sink.accept(line);
      }
    } catch (IOException e) {
      sink.accept("(output closed: " + e.getMessage() + ")");
    }
  }
}
