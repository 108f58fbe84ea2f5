package io.spacepanda.internal.net.nat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A js-libp2p node with {@code @libp2p/circuit-relay-v2} 4.2.13 and {@code @libp2p/dcutr} 3.0.28
 * (libp2p 3.3.11) in a Node.js child process, driven by one JSON command per line ({@code
 * src/test/js-relay/relay-peer.mjs} lists them). Installs its pinned packages into {@code
 * target/js-relay} with {@code npm ci} when missing or when the lockfile changed, like the other js
 * interop harnesses. {@link #close()} ends the process.
 */
final class RelayJsPeer implements AutoCloseable {

  private static final Path SOURCE_DIR = Path.of("src", "test", "js-relay");
  private static final Path INSTALL_DIR = Path.of("target", "js-relay");
  private static final List<String> FILES =
      List.of("package.json", "package-lock.json", "relay-peer.mjs", "polyfill.mjs");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Object INSTALL_LOCK = new Object();

  private final Process process;
  private final Writer stdin;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final StringBuffer stderr = new StringBuffer();
  private final String multiaddr;
  private int nextId;

  private RelayJsPeer(List<String> args) throws IOException {
    Path dir = install();
    List<String> command = new java.util.ArrayList<>(List.of("node", "relay-peer.mjs", "--timeout", "240000"));
    command.addAll(args);
    process = new ProcessBuilder(command).directory(dir.toFile()).start();
    stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    pump(new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)), true);
    pump(new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)), false);
    String line = next(Duration.ofSeconds(60));
    if (line == null || !line.startsWith("LISTENING ")) {
      process.destroyForcibly();
      throw new IOException("js relay peer did not start: " + line + "\n" + stderr);
    }
    multiaddr = line.substring("LISTENING ".length()).trim();
  }

  /**
   * Installs if needed and starts a peer.
   *
   * @param args command-line options of {@code relay-peer.mjs}, such as {@code --relay}
   * @return the running peer
   * @throws IOException when installation or start fails
   */
  static RelayJsPeer start(String... args) throws IOException {
    return new RelayJsPeer(List.of(args));
  }

  private void pump(BufferedReader r, boolean out) {
    Thread t = new Thread(() -> {
      try (r) {
        String line;
        while ((line = r.readLine()) != null) {
          if (out) {
            lines.add(line);
          } else if (stderr.length() < 64 * 1024) {
            stderr.append(line).append('\n');
          }
        }
      } catch (IOException e) {
        stderr.append("reader failed: ").append(e.getMessage());
      }
    }, "relay-js-peer-" + (out ? "out" : "err"));
    t.setDaemon(true);
    t.start();
  }

  private String next(Duration timeout) throws IOException {
    try {
      return lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  static Path install() throws IOException {
    synchronized (INSTALL_LOCK) {
      Files.createDirectories(INSTALL_DIR);
      Path lock = INSTALL_DIR.resolve("package-lock.json");
      boolean lockChanged = !Files.exists(lock) || !Arrays.equals(Files.readAllBytes(lock),
          Files.readAllBytes(SOURCE_DIR.resolve("package-lock.json")));
      for (String f : FILES) {
        Files.copy(SOURCE_DIR.resolve(f), INSTALL_DIR.resolve(f), StandardCopyOption.REPLACE_EXISTING);
      }
      if (lockChanged || !Files.isDirectory(INSTALL_DIR.resolve("node_modules"))) {
        Process p = new ProcessBuilder("npm", "ci", "--prefer-offline", "--no-audit", "--no-fund",
            "--ignore-scripts").directory(INSTALL_DIR.toFile()).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
          if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
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

  /** Returns the listen address with {@code /p2p/}. */
  String multiaddr() {
    return multiaddr;
  }

  /** Returns the base58 peer id. */
  String peerId() {
    return multiaddr.substring(multiaddr.lastIndexOf("/p2p/") + 5);
  }

  /**
   * Runs one command and returns its result.
   *
   * @param command the command object; an {@code id} is added
   * @return the RESULT object
   * @throws IOException when the command failed or no answer came within 40 s
   */
  synchronized JsonNode call(ObjectNode command) throws IOException {
    int id = ++nextId;
    command.put("id", id);
    stdin.write(JSON.writeValueAsString(command) + "\n");
    stdin.flush();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
    while (System.nanoTime() < deadline) {
      String line = next(Duration.ofMillis(200));
      if (line == null) {
        continue;
      }
      if (line.startsWith("RESULT ")) {
        JsonNode r = JSON.readTree(line.substring(7));
        if (r.path("id").asInt() == id) {
          return r;
        }
      } else if (line.startsWith("FAILED ")) {
        throw new IOException("js command " + command + " failed: " + line + "\n" + tail());
      }
    }
    throw new IOException("js command " + command + " timed out\n" + tail());
  }

  private String tail() {
    String s = stderr.toString();
    return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
  }

  /**
   * Builds a command.
   *
   * @param op the operation
   * @param kv alternating field names and values
   * @return the command object
   */
  static ObjectNode cmd(String op, String... kv) {
    ObjectNode n = JSON.createObjectNode();
    n.put("op", op);
    for (int i = 0; i + 1 < kv.length; i += 2) {
      n.put(kv[i], kv[i + 1]);
    }
    return n;
  }

  @Override
  public void close() {
    try {
      stdin.close();
    } catch (IOException e) {
      // already gone
    }
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
