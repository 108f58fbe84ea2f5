package io.spacepanda.logs;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * A JUnit extension that captures the SDK's log lines during each test and prints them to the
 * console when the test fails, so that a failure in CI leaves the nodes' own account behind.
 * Tests using it must not run in parallel with each other (the capture is JVM-wide).
 */
public final class DumpLogsOnFailure
    implements BeforeEachCallback, AfterEachCallback, TestExecutionExceptionHandler {

  /** Built by JUnit. */
  public DumpLogsOnFailure() {}

  @Override
  public void beforeEach(ExtensionContext context) {
    LogCapture.start();
  }

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable failure)
      throws Throwable {
    LogCapture.dump(context.getDisplayName() + " failed (" + failure + ")", System.out);
    throw failure;
  }

  @Override
  public void afterEach(ExtensionContext context) {
    LogCapture.stop();
  }
}
