package io.spacepanda.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The examples are what an application would write: they may use {@code io.spacepanda} and {@code
 * io.spacepanda.spi}, never {@code io.spacepanda.internal}. Examples of the internals live in the
 * SDK's test sources.
 */
class PublicApiOnlyTest {

  /** Any reference to an internal package: an import, a static import or a qualified name. */
  private static final Pattern INTERNAL =
      Pattern.compile("\\bio\\s*\\.\\s*spacepanda\\s*\\.\\s*internal\\b");

  @Test
  void mainSources_referenceNoInternalPackage() throws IOException {
    Path root = Path.of("src", "main", "java");
    List<Path> sources;
    try (Stream<Path> files = Files.walk(root)) {
      sources = files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    }
    assertFalse(sources.isEmpty(), "no sources found under " + root.toAbsolutePath());

    List<String> offenders = new ArrayList<>();
    for (Path source : sources) {
      List<String> lines = Files.readAllLines(source);
      for (int i = 0; i < lines.size(); i++) {
        if (INTERNAL.matcher(lines.get(i)).find()) {
          offenders.add(source + ":" + (i + 1) + ": " + lines.get(i).strip());
        }
      }
    }
    assertEquals(List.of(), offenders, "examples must use the public API only");
  }

  @Test
  void pattern_matchesImportsAndQualifiedNames() {
    assertFalse(INTERNAL.matcher("import io.spacepanda.spi.Storage;").find());
    assertFalse(INTERNAL.matcher("import io.spacepanda.internals;").find());
    assertTrue(INTERNAL.matcher("import io.spacepanda.internal.net.host.Host;").find());
    assertTrue(INTERNAL.matcher("import static io.spacepanda.internal.x.Y.z;").find());
    assertTrue(INTERNAL.matcher("var h = io.spacepanda.internal.net.host.Host.builder();").find());
  }
}
