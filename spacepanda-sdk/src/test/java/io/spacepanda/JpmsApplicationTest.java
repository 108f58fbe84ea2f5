package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An application that is itself a named module ({@code requires io.spacepanda;}) compiles against
 * the SDK and its dependencies on the module path, and runs in a separate JVM: in memory, on SQLite
 * (native library, Tink keyset) and listening on TCP (Netty). The surefire run puts everything on
 * the class path, so this is the test that the module descriptor is complete.
 */
class JpmsApplicationTest {

  private static final String MODULE_INFO = """
      module app {
        requires io.spacepanda;
      }
      """;

  private static final String MAIN = """
      package app;

      import io.spacepanda.Channel;
      import io.spacepanda.Jitter;
      import io.spacepanda.Message;
      import io.spacepanda.Space;
      import io.spacepanda.SpacePanda;
      import io.spacepanda.Storages;
      import java.nio.file.Path;
      import java.util.List;

      public final class Main {
        public static void main(String[] args) throws Exception {
          try (SpacePanda node = SpacePanda.builder()
              .p2p(false).storage(Storages.inMemory()).jitter(Jitter.none()).build()) {
            talk("memory", node);
          }
          Path dir = Path.of(args[0]);
          try (SpacePanda node = SpacePanda.builder()
              .p2p(false).dataDir(dir).passphrase("secret".toCharArray()).build()) {
            talk("sqlite", node);
          }
          try (SpacePanda node = SpacePanda.builder()
              .dataDir(dir).passphrase("secret".toCharArray())
              .listen("/ip4/127.0.0.1/tcp/0").build()) {
            node.start().join();
            System.out.println("reopened " + node.spaces().get(0).name()
                + ", listening " + node.listenAddresses().get(0).startsWith("/ip4/127.0.0.1/tcp/"));
          }
          System.out.println("module " + SpacePanda.class.getModule().getName()
              + ", app module " + Main.class.getModule().getName());
        }

        private static void talk(String label, SpacePanda node) {
          node.start().join();
          Space space = node.createSpace("Team").join();
          Channel general = space.channel("general").orElseThrow();
          general.send("hello from a module").join();
          List<Message> history = general.history(10, null).join();
          System.out.println(label + ": " + history.size() + " " + history.get(0).text());
        }
      }
      """;

  @Test
  void descriptor_exportsOnlyTheApiAndTheSpi() {
    ModuleDescriptor d = sdkModule().descriptor();

    assertFalse(d.isAutomatic());
    assertFalse(d.isOpen());
    Set<String> exported = d.exports().stream()
        .peek(e -> assertFalse(e.isQualified(), "qualified export " + e))
        .map(ModuleDescriptor.Exports::source)
        .collect(Collectors.toSet());
    assertEquals(Set.of("io.spacepanda", "io.spacepanda.spi"), exported);
    assertEquals(Set.of(), d.opens());
    assertTrue(d.packages().stream().anyMatch(p -> p.startsWith("io.spacepanda.internal.")));
    assertTrue(d.requires().stream()
        .noneMatch(r -> r.modifiers().contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE)),
        "no dependency type is part of the API: " + d.requires());
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void application_asNamedModule_compilesAndRunsOnTheModulePath(@TempDir Path tmp)
      throws Exception {
    Path src = tmp.resolve("src/app");
    Files.createDirectories(src.resolve("app"));
    Files.writeString(src.resolve("module-info.java"), MODULE_INFO);
    Files.writeString(src.resolve("app/Main.java"), MAIN);
    Path out = tmp.resolve("out");
    String modulePath = modulePath();

    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertNotNull(javac, "tests need a JDK, not a JRE");
    StringWriter diagnostics = new StringWriter();
    boolean compiled = javac.getTask(diagnostics, null, null,
        List.of("--release", "17", "-Xlint:all", "-Werror", "--module-path", modulePath,
            "-d", out.toString()),
        null,
        javac.getStandardFileManager(null, null, StandardCharsets.UTF_8).getJavaFileObjects(
            src.resolve("module-info.java"), src.resolve("app/Main.java"))).call();
    assertTrue(compiled, diagnostics.toString());

    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p = new ProcessBuilder(java.toString(),
        "--module-path", out + File.pathSeparator + modulePath,
        "-m", "app/app.Main", tmp.resolve("data").toString())
        .redirectError(tmp.resolve("stderr.txt").toFile())
        .redirectOutput(tmp.resolve("stdout.txt").toFile())
        .start();
    boolean exited = p.waitFor(150, TimeUnit.SECONDS);
    if (!exited) {
      p.destroyForcibly();
    }
    String stdout = Files.readString(tmp.resolve("stdout.txt"));
    String stderr = Files.readString(tmp.resolve("stderr.txt"));
    String report = "stdout:\n" + stdout + "\nstderr:\n" + stderr;
    assertTrue(exited, "timed out\n" + report);
    assertEquals(0, p.exitValue(), report);
    assertEquals(List.of(
        "memory: 1 hello from a module",
        "sqlite: 1 hello from a module",
        "reopened Team, listening true",
        "module io.spacepanda, app module app"), stdout.lines().toList(), report);
    assertFalse(stderr.contains("Exception"), report);
    // Netty finds jdk.unsupported through io.spacepanda's module graph and keeps direct buffers.
    assertFalse(stderr.contains("low-level API for accessing direct buffers"), report);
  }

  private static java.lang.module.ModuleReference sdkModule() {
    return ModuleFinder.of(sdkLocation()).find("io.spacepanda")
        .orElseThrow(() -> new AssertionError("no module io.spacepanda in " + sdkLocation()));
  }

  /** Where the SDK's classes are: target/classes in a Maven build, with its module-info.class. */
  private static Path sdkLocation() {
    try {
      return Path.of(SpacePanda.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (java.net.URISyntaxException e) {
      throw new AssertionError(e);
    }
  }

  /** The SDK and its runtime dependencies, as Maven resolved them (dependency:build-classpath). */
  private static String modulePath() throws IOException {
    String file = System.getProperty("spacepanda.runtimeClasspathFile");
    assertNotNull(file, "run through Maven: spacepanda.runtimeClasspathFile is not set");
    List<String> entries = new ArrayList<>();
    entries.add(sdkLocation().toString());
    for (String e : Files.readString(Path.of(file)).strip().split(File.pathSeparator)) {
      if (!e.isBlank()) {
        entries.add(e);
      }
    }
    return String.join(File.pathSeparator, entries);
  }
}
