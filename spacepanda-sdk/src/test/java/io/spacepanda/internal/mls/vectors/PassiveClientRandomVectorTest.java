package io.spacepanda.internal.mls.vectors;

import org.junit.jupiter.api.Test;

/** passive-client-random.json: join from a Welcome, then follow every epoch as a passive member. */
class PassiveClientRandomVectorTest {

  @Test
  void passiveClientRandom() {
    PassiveClientRunner.runFile("passive-client-random.json");
  }
}
