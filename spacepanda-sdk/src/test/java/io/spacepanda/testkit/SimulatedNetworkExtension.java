package io.spacepanda.testkit;

import io.spacepanda.internal.net.sim.SimulatedNetwork;
import java.util.SplittableRandom;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * A JUnit 5 extension that gives a test method a fresh {@link SimulatedNetwork} parameter and, when
 * the test fails, reports the network's seed so that the failure can be replayed.
 *
 * <pre>{@code
 * @ExtendWith(SimulatedNetworkExtension.class)
 * class MyAppTest {
 *   @Test void survivesPartition(SimulatedNetwork net) { … }
 * }
 * }</pre>
 *
 * <p>The seed is, in order of preference: the system property {@value #SEED_PROPERTY} when it holds
 * a number; a fresh random seed when it holds {@code random}; otherwise a seed derived from the
 * test's unique id, the same in every run. A failing test gets a suppressed exception naming the
 * seed and the network's state, which JUnit prints with the failure.
 */
public final class SimulatedNetworkExtension
    implements ParameterResolver, TestExecutionExceptionHandler {

  /** The system property that fixes the seed of every network, or asks for random seeds. */
  public static final String SEED_PROPERTY = "spacepanda.sim.seed";

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(SimulatedNetworkExtension.class);

  /** Creates the extension; JUnit calls this. */
  public SimulatedNetworkExtension() {}

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == SimulatedNetwork.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context.getStore(NAMESPACE).getOrComputeIfAbsent(SimulatedNetwork.class,
        k -> new SimulatedNetwork(seedFor(context)), SimulatedNetwork.class);
  }

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable failure)
      throws Throwable {
    SimulatedNetwork net = context.getStore(NAMESPACE).get(SimulatedNetwork.class,
        SimulatedNetwork.class);
    if (net != null) {
      failure.addSuppressed(new SeedReport(net));
    }
    throw failure;
  }

  /**
   * Returns the seed a test's network gets.
   *
   * @param context the test
   * @return the seed
   * @throws IllegalArgumentException if the system property is neither a number nor {@code random}
   */
  static long seedFor(ExtensionContext context) {
    String configured = System.getProperty(SEED_PROPERTY);
    if (configured == null || configured.isBlank()) {
      return context.getUniqueId().hashCode() * 0x9E3779B97F4A7C15L;
    }
    if (configured.equals("random")) {
      return new SplittableRandom().nextLong();
    }
    try {
      return Long.parseLong(configured.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          SEED_PROPERTY + " must be a number or \"random\", got \"" + configured + "\"", e);
    }
  }

  /** Names the seed of a failed test's network; carries no stack trace of its own. */
  static final class SeedReport extends Exception {
    SeedReport(SimulatedNetwork net) {
      super("replay with -D" + SEED_PROPERTY + "=" + net.seed() + "; " + net, null, false, false);
    }
  }
}
