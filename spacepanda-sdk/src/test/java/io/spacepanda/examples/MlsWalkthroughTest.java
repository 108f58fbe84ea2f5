package io.spacepanda.examples;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MlsWalkthroughTest {

  @Test
  void run_threeMembers_agreeThroughoutAndRemovedMemberReadsNothing() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      MlsWalkthrough.run(out);
    }
    String printed = bytes.toString(StandardCharsets.UTF_8);

    assertTrue(printed.contains("bob reads from alice: \"Welcome, both of you!\""), printed);
    assertTrue(printed.contains("carol reads from bob: \"Thanks alice. Hi carol.\""), printed);
    assertTrue(printed.contains("carol applied a commit") && printed.contains("learns it was removed"),
        printed);
    assertTrue(printed.contains("carol cannot read alice's next message"), printed);
    assertTrue(printed.contains("alice reads from bob: \"Still here after a restart.\""), printed);
    assertFalse(printed.contains("MISMATCH"), printed);
    assertTrue(printed.strip().endsWith("done"), printed);
  }
}
