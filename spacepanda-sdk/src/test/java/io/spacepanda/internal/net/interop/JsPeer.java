package io.spacepanda.internal.net.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A js-libp2p peer (libp2p 3.x, TCP, Noise, Yamux, identify, ping and the echo protocol) running in
 * a Node.js child process, for interop tests on loopback.
 *
 * <p>{@link #listen} and {@link #dial} copy the peer script and the pinned {@code package.json} /
 * {@code package-lock.json} from {@code src/test/js} into {@code target/js} and run {@code npm ci}
 * there when {@code node_modules} is missing or the lockfile changed. The peer prints one {@code
 * LISTENING <multiaddr>} line, one {@code RESULT <json>} line per finished run, and {@code ERROR
 * <message>} on failure. {@link #close()} always kills the process (and it exits by itself when
 * its stdin closes or its own timeout passes), so use it in try-with-resources.
 *
 * <p>Threading: one reader thread per stream of the child; the methods are safe from any thread.
 */
public final class JsPeer implements AutoCloseable {

  /** Protocol id of the peer's echo protocol: varint-length-prefixed frames echoed one by one. */
  public static final String ECHO_PROTOCOL = "/spacepanda/echo/1.0.0";

  /**
   * System property that, when set, becomes the peer's {@code DEBUG} variable (for example {@code
   * libp2p:*}) and sends its stderr to {@code target/js/logs/} instead of memory.
   */
  public static final String DEBUG_PROPERTY = "spacepanda.jspeer.debug";

  private static final Path SOURCE_DIR = Path.of("src", "test", "js");
  private static final Path INSTALL_DIR = Path.of("target", "js");
  private static final List<String> FILES =
      List.of("package.json", "package-lock.json", "peer.mjs", "polyfill.mjs");
  private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Object INSTALL_LOCK = new Object();

  private final Process process;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final StringBuffer stderr = new StringBuffer();
  /** The threads copying the peer's stdout and stderr; they end at the peer's end of output. */
  private final List<Thread> readers = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile String multiaddr;

  /** Options of one peer process; {@link #defaults()} listens with early muxer negotiation on. */
  public record Options(boolean earlyMuxer, String run, long bytes, int frame, int streams,
      Duration timeout) {

    /**
     * Checks the options.
     *
     * @throws IllegalArgumentException when a size or the timeout is not positive
     */
    public Options {
      Objects.requireNonNull(run, "run");
      Objects.requireNonNull(timeout, "timeout");
      if (bytes < 1 || frame < 1 || streams < 1 || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("options out of range");
      }
    }

    /**
     * Returns early muxer negotiation on, all runs, 1 MiB echoed in 16 KiB frames, 32 parallel
     * streams, 60 s lifetime.
     *
     * @return the defaults
     */
    public static Options defaults() {
      return new Options(true, "all", 1024 * 1024, 16 * 1024, 32, Duration.ofSeconds(60));
    }

    /**
     * Returns a copy with early muxer negotiation switched on or off.
     *
     * @param on whether js offers and accepts muxers in the Noise handshake
     * @return the copy
     */
    public Options withEarlyMuxer(boolean on) {
      return new Options(on, run, bytes, frame, streams, timeout);
    }

    /**
     * Returns a copy running only {@code value} when dialing.
     *
     * @param value {@code identify-ping}, {@code echo}, {@code parallel} or {@code all}
     * @return the copy
     */
    public Options withRun(String value) {
      return new Options(earlyMuxer, value, bytes, frame, streams, timeout);
    }

    /**
     * Returns a copy echoing another amount in other frames.
     *
     * @param total bytes echoed
     * @param frameSize bytes per frame
     * @return the copy
     */
    public Options withEcho(long total, int frameSize) {
      return new Options(earlyMuxer, run, total, frameSize, streams, timeout);
    }

    /**
     * Returns a copy opening another number of parallel streams.
     *
     * @param count streams
     * @return the copy
     */
    public Options withStreams(int count) {
      return new Options(earlyMuxer, run, bytes, frame, count, timeout);
    }

    /**
     * Returns a copy with another process lifetime.
     *
     * @param value time after which the peer exits by itself
     * @return the copy
     */
    public Options withTimeout(Duration value) {
      return new Options(earlyMuxer, run, bytes, frame, streams, value);
    }

    List<String> arguments() {
      List<String> args = new ArrayList<>(List.of("--run", run, "--bytes", Long.toString(bytes),
          "--frame", Integer.toString(frame), "--streams", Integer.toString(streams),
          "--timeout", Long.toString(timeout.toMillis())));
      if (!earlyMuxer) {
        args.add("--no-early-muxer");
      }
      return args;
    }
  }

  private JsPeer(Process process) {
    this.process = process;
  }

  /**
   * Returns whether Node.js 20 or later and npm are on the PATH.
   *
   * @return {@code true} when js peers can run here
   */
  public static boolean isAvailable() {
    try {
      Process node = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      String version = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!node.waitFor(10, TimeUnit.SECONDS) || node.exitValue() != 0) {
        return false;
      }
      int major = Integer.parseInt(version.trim().substring(1).split("\\.")[0]);
      return major >= 20 && run(List.of("npm", "--version"), Path.of("."), Duration.ofSeconds(30));
    } catch (IOException | RuntimeException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Starts a peer listening on {@code /ip4/127.0.0.1/tcp/0} and waits for its address.
   *
   * @param options early-muxer setting and lifetime
   * @return the running peer; its {@link #multiaddr()} ends in {@code /p2p/<peer id>}
   * @throws IOException when installation or start fails or the address does not come in time
   */
  public static JsPeer listen(Options options) throws IOException {
    List<String> args = new ArrayList<>(List.of("--listen"));
    args.addAll(options.arguments());
    JsPeer peer = start(args);
    try {
      String line = peer.nextLine(START_TIMEOUT);
      if (line == null || !line.startsWith("LISTENING ")) {
        throw new IOException("js peer did not listen: " + line + " " + peer.stderr);
      }
      peer.multiaddr = line.substring("LISTENING ".length()).trim();
      return peer;
    } catch (IOException | RuntimeException e) {
      peer.close();
      throw e;
    }
  }

  /**
   * Starts a peer that dials {@code target} and performs {@code options.run()}; collect its
   * results with {@link #awaitResults}.
   *
   * @param target multiaddr of the peer to dial, with {@code /p2p/<peer id>}
   * @param options which runs, sizes and lifetime
   * @return the running peer
   * @throws IOException when installation or start fails
   */
  public static JsPeer dial(String target, Options options) throws IOException {
    List<String> args = new ArrayList<>(List.of("--dial", target));
    args.addAll(options.arguments());
    return start(args);
  }

  private static JsPeer start(List<String> args) throws IOException {
    Path dir = install();
    List<String> command = new ArrayList<>(List.of("node", "peer.mjs"));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
    String debug = System.getProperty(DEBUG_PROPERTY);
    if (debug != null && !debug.isBlank()) {
      builder.environment().put("DEBUG", debug);
      Path logs = Files.createDirectories(dir.resolve("logs"));
      builder.redirectError(logs.resolve("peer-" + System.nanoTime() + ".log").toFile());
    }
    Process process = builder.start();
    JsPeer peer = new JsPeer(process);
    peer.pump(process.getInputStream(), true);
    peer.pump(process.getErrorStream(), false);
    return peer;
  }

  private void pump(InputStream in, boolean stdout) {
    Thread reader = new Thread(() -> {
      try (BufferedReader r =
          new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          if (stdout) {
            lines.add(line);
          } else if (stderr.length() < 64 * 1024) {
            stderr.append(line).append('\n');
          }
        }
      } catch (IOException e) {
        stderr.append("reader failed: ").append(e.getMessage());
      }
    }, "js-peer-" + (stdout ? "out" : "err"));
    reader.setDaemon(true);
    readers.add(reader);
    reader.start();
  }

  /**
   * Waits until the readers have copied everything the exited peer wrote: a dead process can
   * still have its last lines (its RESULT) in the pipe, not yet in {@link #lines}.
   */
  private void drainReaders() {
    for (Thread t : readers) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * Copies the harness into {@code target/js} and runs {@code npm ci} there when needed.
   *
   * @return the directory to run peers in
   * @throws IOException when copying or {@code npm ci} fails
   */
  public static Path install() throws IOException {
    synchronized (INSTALL_LOCK) {
      Files.createDirectories(INSTALL_DIR);
      Path lock = INSTALL_DIR.resolve("package-lock.json");
      boolean lockChanged = !Files.exists(lock)
          || !Arrays.equals(Files.readAllBytes(lock),
              Files.readAllBytes(SOURCE_DIR.resolve("package-lock.json")));
      for (String file : FILES) {
        Files.copy(SOURCE_DIR.resolve(file), INSTALL_DIR.resolve(file),
            StandardCopyOption.REPLACE_EXISTING);
      }
      if (lockChanged || !Files.isDirectory(INSTALL_DIR.resolve("node_modules"))) {
        List<String> npm = List.of("npm", "ci", "--prefer-offline", "--no-audit", "--no-fund",
            "--ignore-scripts");
        try {
          if (!run(npm, INSTALL_DIR, INSTALL_TIMEOUT)) {
            throw new IOException("npm ci failed in " + INSTALL_DIR.toAbsolutePath());
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted during npm ci", e);
        }
      }
      return INSTALL_DIR;
    }
  }

  private static boolean run(List<String> command, Path dir, Duration timeout)
      throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      return false;
    }
    return p.exitValue() == 0;
  }

  /**
   * Returns the address the peer listens on, ending in {@code /p2p/<peer id>}.
   *
   * @return the multiaddr text
   * @throws IllegalStateException for a dialing peer, which does not listen
   */
  public String multiaddr() {
    if (multiaddr == null) {
      throw new IllegalStateException("dialing peer has no listen address");
    }
    return multiaddr;
  }

  /**
   * Returns the peer id part of {@link #multiaddr()}.
   *
   * @return the base58 peer id
   */
  public String peerId() {
    String addr = multiaddr();
    return addr.substring(addr.lastIndexOf("/p2p/") + "/p2p/".length());
  }

  /**
   * Waits until the peer exits or {@code timeout} passes and returns its {@code RESULT} lines.
   *
   * @param timeout how long to wait
   * @return one JSON object per finished run, in order
   * @throws IOException when the peer reported an error, exited non-zero or did not finish in time
   */
  public List<JsonNode> awaitResults(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<JsonNode> results = new ArrayList<>();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new IOException("js peer did not finish in time: " + results + " " + stderr);
      }
      String line = nextLine(Duration.ofNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200))));
      if (line == null) {
        if (!process.isAlive()) {
          drainReaders();
        }
        if (!process.isAlive() && lines.isEmpty()) {
          waitForExitQuietly();
          if (process.exitValue() != 0) {
            throw new IOException("js peer exited with " + process.exitValue() + " " + stderr);
          }
          return results;
        }
        continue;
      }
      if (line.startsWith("RESULT ")) {
        results.add(JSON.readTree(line.substring("RESULT ".length())));
      } else if (line.startsWith("ERROR ")) {
        throw new IOException("js peer failed: " + line.substring("ERROR ".length()));
      }
    }
  }

  private void waitForExitQuietly() {
    try {
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private String nextLine(Duration timeout) {
    try {
      return lines.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /**
   * Returns what the peer wrote to stderr so far, for failure messages.
   *
   * @return up to 64 KiB of stderr
   */
  public String stderr() {
    return stderr.toString();
  }

  /**
   * Kills the peer process and its children and waits briefly for them to go.
   */
  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      throw new UncheckedIOException(new IOException("could not stop js peer", e));
    }
  }
}
