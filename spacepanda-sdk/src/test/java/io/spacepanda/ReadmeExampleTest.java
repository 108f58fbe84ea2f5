package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles and runs exactly the code of README's {@code ## Example}: its {@code import} lines go
 * above a class, the rest is the body of its {@code main}. It runs in its own JVM (two nodes over
 * libp2p TCP on 127.0.0.1, SQLite), so the README cannot drift from the API or its behaviour.
 */
class ReadmeExampleTest {

  private static final Path README = Path.of("..", "README.md");

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void readmeExample_compilesAsShown_andBobReadsAlicesMessage(@TempDir Path tmp)
      throws Exception {
    String snippet = javaBlockUnder("## Example", Files.readString(README));
    Path source = tmp.resolve("src/ReadmeExample.java");
    Files.createDirectories(source.getParent());
    Files.writeString(source, wrap(snippet));
    Path out = tmp.resolve("out");
    String classPath = System.getProperty("java.class.path");

    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertNotNull(javac, "tests need a JDK, not a JRE");
    StringWriter diagnostics = new StringWriter();
    boolean compiled = javac.getTask(diagnostics, null, null,
        List.of("--release", "17", "-Xlint:all", "-Werror", "-proc:none", "-classpath", classPath,
            "-d", out.toString()),
        null,
        javac.getStandardFileManager(null, null, StandardCharsets.UTF_8).getJavaFileObjects(source))
        .call();
    assertTrue(compiled, diagnostics + "\n" + Files.readString(source));

    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p = new ProcessBuilder(java.toString(), "-Djava.io.tmpdir=" + tmp,
        "-cp", out + File.pathSeparator + classPath, "ReadmeExample")
        .redirectOutput(tmp.resolve("stdout.txt").toFile())
        .redirectError(tmp.resolve("stderr.txt").toFile())
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
    assertEquals(List.of("bob reads #general: hello, bob", "bob's history: [hello, bob]"),
        stdout.lines().toList(), report);
  }

  @Test
  void javaBlockUnder_takesTheFirstJavaBlockOfTheSection() {
    String md = "## Other\n```java\nother();\n```\n## Example\ntext\n```java\nimport a.B;\n\n"
        + "B.run();\n```\n```java\nsecond();\n```\n## Next\n";

    assertEquals("import a.B;\n\nB.run();\n", javaBlockUnder("## Example", md));
    assertTrue(wrap("import a.B;\n\nB.run();\n").startsWith("import a.B;\n"));
    assertTrue(wrap("import a.B;\n\nB.run();\n").contains("main(String[] args) throws Exception {\n"
        + "B.run();\n"));
  }

  @Test
  void javaBlockUnder_missingSectionOrBlock_fails() {
    String block = "```java\nx();\n```\n";

    assertFalse(throwsAssertion(() -> javaBlockUnder("## Example", "## Example\n" + block)));
    assertTrue(throwsAssertion(() -> javaBlockUnder("## Example", "## Examples\n" + block)));
    assertTrue(
        throwsAssertion(() -> javaBlockUnder("## Example", "## Example\n## Next\n" + block)));
    assertTrue(throwsAssertion(() -> javaBlockUnder("## Example", "## Example\n```java\nx();\n")));
  }

  /** The first fenced {@code java} block between {@code heading} and the next heading. */
  static String javaBlockUnder(String heading, String markdown) {
    List<String> lines = markdown.lines().toList();
    int at = lines.indexOf(heading);
    if (at < 0) {
      throw new AssertionError("README has no line \"" + heading + "\"");
    }
    List<String> block = null;
    for (String line : lines.subList(at + 1, lines.size())) {
      if (block == null) {
        if (line.startsWith("## ")) {
          break;
        }
        if (line.equals("```java")) {
          block = new ArrayList<>();
        }
      } else if (line.equals("```")) {
        return String.join("\n", block) + "\n";
      } else {
        block.add(line);
      }
    }
    throw new AssertionError("no complete ```java block under \"" + heading + "\"");
  }

  /** The snippet's import lines above a class; everything else, verbatim, as its main's body. */
  static String wrap(String snippet) {
    StringBuilder imports = new StringBuilder();
    StringBuilder body = new StringBuilder();
    for (String line : snippet.lines().toList()) {
      (line.startsWith("import ") ? imports : body).append(line).append('\n');
    }
    return imports + "\npublic final class ReadmeExample {\n"
        + "  public static void main(String[] args) throws Exception {\n"
        + body.toString().strip() + "\n"
        + "  }\n}\n";
  }

  private static boolean throwsAssertion(Runnable r) {
    try {
      r.run();
      return false;
    } catch (AssertionError e) {
      return true;
    }
  }
}
