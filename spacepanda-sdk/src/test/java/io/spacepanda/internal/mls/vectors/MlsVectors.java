package io.spacepanda.internal.mls.vectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assertions;

/**
 * Loads the official RFC 9420 test vectors from the test resources ({@code /mls-test-vectors/} on
 * the test classpath: an unchanged copy of the MLS working group's files, see the README beside
 * them for their source) and counts outcomes per file.
 *
 * <p>Every vector test runs all cases of its file through {@link Report}, which prints the line
 * {@code mls-vectors <file>: N passed, M failed, S skipped} and fails the test if any case failed.
 */
public final class MlsVectors {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Classpath folder of the vector files. */
  static final String RESOURCE_DIR = "/mls-test-vectors/";

  private MlsVectors() {}

  /**
   * @param file file name, e.g. {@code tree-math.json}
   * @return the cases of that file
   * @throws IllegalStateException when the file is not on the test classpath
   */
  public static List<JsonNode> load(String file) {
    try (InputStream in = MlsVectors.class.getResourceAsStream(RESOURCE_DIR + file)) {
      if (in == null) {
        throw new IllegalStateException("test vector " + RESOURCE_DIR + file
            + " is not on the test classpath (spacepanda-sdk/src/test/resources)");
      }
      JsonNode root = JSON.readTree(in);
      List<JsonNode> out = new ArrayList<>();
      root.forEach(out::add);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * @param node a JSON string of hex
   * @return the bytes (empty for a missing or null node)
   */
  public static byte[] hex(JsonNode node) {
    if (node == null || node.isNull()) {
      return new byte[0];
    }
    return HexFormat.of().parseHex(node.asText());
  }

  /**
   * @param c a case
   * @return its suite, or empty when the engine lacks it
   */
  public static Optional<CipherSuite> suite(JsonNode c) {
    return CipherSuite.byId(c.get("cipher_suite").asInt());
  }

  /** One case of a vector file. */
  @FunctionalInterface
  public interface Case {
    /**
     * Runs the case; returns normally on success, throws on failure.
     *
     * @throws Exception on failure
     */
    void run() throws Exception;
  }

  /** Counts the outcomes of one file's cases and prints the summary line. */
  public static final class Report {
    private final String file;
    private int passed;
    private int skipped;
    private final List<String> failures = new ArrayList<>();

    /**
     * @param file the vector file name
     */
    public Report(String file) {
      this.file = file;
    }

    /**
     * Runs one case and counts it.
     *
     * @param name a label for failure messages
     * @param c the case
     */
    public void run(String name, Case c) {
      try {
        c.run();
        passed++;
      } catch (Throwable t) {
        failures.add(name + ": " + t);
        if (failures.size() <= 3) {
          t.printStackTrace();
        }
      }
    }

    /** Counts a case that the engine does not implement. */
    public void skip() {
      skipped++;
    }

    /** Prints the summary line and fails if any case failed. */
    public void finish() {
      System.out.println("mls-vectors " + file + ": " + passed + " passed, " + failures.size()
          + " failed, " + skipped + " skipped");
      if (!failures.isEmpty()) {
        Assertions.fail(failures.size() + " case(s) of " + file + " failed:\n"
            + String.join("\n", failures.subList(0, Math.min(20, failures.size()))));
      }
    }
  }
}
