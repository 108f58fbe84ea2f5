package io.spacepanda.internal.mls.vectors;

import org.junit.jupiter.api.Test;

/** passive-client-handling-commit.json: join from a Welcome, then follow every epoch as a passive member. */
class PassiveClientHandlingCommitVectorTest {

  @Test
  void passiveClientHandlingCommit() {
    PassiveClientRunner.runFile("passive-client-handling-commit.json");
  }
}
