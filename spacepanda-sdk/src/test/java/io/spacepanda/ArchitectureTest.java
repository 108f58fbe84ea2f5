package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks the shape of the main source tree: imports point down (no circle between classes of
 * different packages, none between the internal packages), the SPI depends on nothing internal,
 * and no file of the node layer grows past 600 lines. Reads {@code src/main/java} (the tests run
 * with the module directory as working directory).
 */
class ArchitectureTest {

  private static final Path MAIN = Path.of("src", "main", "java");
  private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
  private static final Pattern IMPORT =
      Pattern.compile("^import (?:static )?(io\\.spacepanda[\\w.]*?)\\.([A-Z]\\w*)",
          Pattern.MULTILINE);
  /** Class name → the classes of other packages it imports. */
  private static final Map<String, Set<String>> classImports = new TreeMap<>();
  private static final Map<String, Integer> lines = new TreeMap<>();

  @BeforeAll
  static void read() throws IOException {
    try (Stream<Path> files = Files.walk(MAIN)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String src = Files.readString(p);
        Matcher pm = PACKAGE.matcher(src);
        if (!pm.find()) {
          continue;
        }
        String name = p.getFileName().toString().replace(".java", "");
        String cls = pm.group(1) + "." + name;
        lines.put(cls, (int) src.lines().count());
        Set<String> imports = new TreeSet<>();
        Matcher im = IMPORT.matcher(src);
        while (im.find()) {
          imports.add(im.group(1) + "." + im.group(2));
        }
        classImports.put(cls, imports);
      }
    }
    assertTrue(classImports.size() > 100, "read " + classImports.size() + " classes from " + MAIN);
  }

  private static String packageOf(String cls) {
    return cls.substring(0, cls.lastIndexOf('.'));
  }

  @Test
  void nodeLayer_noFileOver600Lines() {
    Map<String, Integer> big = new TreeMap<>();
    lines.forEach((cls, n) -> {
      if (cls.startsWith("io.spacepanda.internal.node.") && n > 600) {
        big.put(cls, n);
      }
    });
    assertEquals(Map.of(), big);
  }

  @Test
  void spi_importsNothingInternal() {
    List<String> bad = new ArrayList<>();
    classImports.forEach((cls, imports) -> {
      if (packageOf(cls).equals("io.spacepanda.spi")) {
        imports.stream().filter(i -> i.startsWith("io.spacepanda.internal."))
            .forEach(i -> bad.add(cls + " -> " + i));
      }
    });
    assertEquals(List.of(), bad);
  }

  @Test
  void internalPackages_formNoCircle() {
    Map<String, Set<String>> graph = new TreeMap<>();
    classImports.forEach((cls, imports) -> {
      String from = packageOf(cls);
      if (!from.startsWith("io.spacepanda.internal")) {
        return;
      }
      for (String i : imports) {
        String to = packageOf(i);
        if (to.startsWith("io.spacepanda.internal") && !to.equals(from)) {
          graph.computeIfAbsent(from, k -> new TreeSet<>()).add(to);
        }
      }
    });
    assertEquals(List.of(), circles(graph));
  }

  @Test
  void classes_formNoCircleAcrossPackages() {
    assertEquals(List.of(), circles(classImports));
  }

  /** Strongly connected components with more than one vertex (Tarjan). */
  private static List<Set<String>> circles(Map<String, Set<String>> graph) {
    Map<String, Integer> index = new HashMap<>();
    Map<String, Integer> low = new HashMap<>();
    Deque<String> stack = new ArrayDeque<>();
    Set<String> onStack = new TreeSet<>();
    List<Set<String>> out = new ArrayList<>();
    int[] counter = {0};
    for (String v : graph.keySet()) {
      if (!index.containsKey(v)) {
        strongConnect(v, graph, index, low, stack, onStack, out, counter);
      }
    }
    return out;
  }

  private static void strongConnect(String v, Map<String, Set<String>> graph,
      Map<String, Integer> index, Map<String, Integer> low, Deque<String> stack,
      Set<String> onStack, List<Set<String>> out, int[] counter) {
    index.put(v, counter[0]);
    low.put(v, counter[0]);
    counter[0]++;
    stack.push(v);
    onStack.add(v);
    for (String w : graph.getOrDefault(v, Set.of())) {
      if (!index.containsKey(w)) {
        strongConnect(w, graph, index, low, stack, onStack, out, counter);
        low.put(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.contains(w)) {
        low.put(v, Math.min(low.get(v), index.get(w)));
      }
    }
    if (low.get(v).equals(index.get(v))) {
      Set<String> scc = new TreeSet<>();
      String w;
      do {
        w = stack.pop();
        onStack.remove(w);
        scc.add(w);
      } while (!w.equals(v));
      if (scc.size() > 1) {
        out.add(scc);
      }
    }
  }
}
