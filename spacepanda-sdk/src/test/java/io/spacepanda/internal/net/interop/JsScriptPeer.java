package io.spacepanda.internal.net.interop;

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
 * A js-libp2p node in a Node.js child process, running one script of a folder under {@code
 * src/test} and driven by one JSON command per line (each script lists its commands). Installs the
 * folder's pinned packages into {@code target/<folder>} with {@code npm ci} when missing or when
 * the lockfile changed. The script prints {@code LISTENING <multiaddr>} once started, then one
 * {@code RESULT} or {@code FAILED} line per command. {@link #close()} ends the process.
 */
public class JsScriptPeer implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Object INSTALL_LOCK = new Object();
  private static final List<String> SHARED_FILES =
      List.of("package.json", "package-lock.json", "polyfill.mjs");

  private final Process process;
  private final Writer stdin;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final StringBuffer stderr = new StringBuffer();
  private final String multiaddr;
  private final String label;
  private int nextId;

  /**
   * Installs the folder's packages if needed and starts its script.
   *
   * @param folder the folder under {@code src/test}, such as {@code js-kad}
   * @param script the script in it, such as {@code kad-peer.mjs}
   * @param args the script's command-line options
   * @param label what the peer is, for thread names and errors
   * @throws IOException when installation or start fails
   */
  protected JsScriptPeer(String folder, String script, List<String> args, String label)
      throws IOException {
    this.label = label;
    Path dir = install(folder, script);
    List<String> command = new java.util.ArrayList<>(List.of("node", script, "--timeout", "240000"));
    command.addAll(args);
    process = new ProcessBuilder(command).directory(dir.toFile()).start();
    stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    pump(new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)), true);
    pump(new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)), false);
    String line = next(Duration.ofSeconds(60));
    if (line == null || !line.startsWith("LISTENING ")) {
      process.destroyForcibly();
      throw new IOException("js " + label + " peer did not start: " + line + "\n" + stderr);
    }
    multiaddr = line.substring("LISTENING ".length()).trim();
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
    }, label + "-js-peer-" + (out ? "out" : "err"));
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

  private static Path install(String folder, String script) throws IOException {
    Path sourceDir = Path.of("src", "test", folder);
    Path installDir = Path.of("target", folder);
    List<String> files = new java.util.ArrayList<>(SHARED_FILES);
    files.add(script);
    synchronized (INSTALL_LOCK) {
      Files.createDirectories(installDir);
      Path lock = installDir.resolve("package-lock.json");
      boolean lockChanged = !Files.exists(lock) || !Arrays.equals(Files.readAllBytes(lock),
          Files.readAllBytes(sourceDir.resolve("package-lock.json")));
      for (String f : files) {
        Files.copy(sourceDir.resolve(f), installDir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
      }
      if (lockChanged || !Files.isDirectory(installDir.resolve("node_modules"))) {
        Process p = new ProcessBuilder("npm", "ci", "--prefer-offline", "--no-audit", "--no-fund",
            "--ignore-scripts").directory(installDir.toFile()).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
          if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("npm ci failed in " + installDir.toAbsolutePath());
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted during npm ci", e);
        }
      }
      return installDir;
    }
  }

  /** Returns the listen address with {@code /p2p/}. */
  public String multiaddr() {
    return multiaddr;
  }

  /** Returns the base58 peer id. */
  public String peerId() {
    return multiaddr.substring(multiaddr.lastIndexOf("/p2p/") + 5);
  }

  /**
   * Runs one command and returns its result.
   *
   * @param command the command object; an {@code id} is added
   * @return the RESULT object
   * @throws IOException when the command failed or no answer came within 40 s
   */
  public synchronized JsonNode call(ObjectNode command) throws IOException {
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
  public static ObjectNode cmd(String op, String... kv) {
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
