package io.spacepanda.internal.mls.vectors;

import org.junit.jupiter.api.Test;

/** passive-client-welcome.json: join from a Welcome, then follow every epoch as a passive member. */
class PassiveClientWelcomeVectorTest {

  @Test
  void passiveClientWelcome() {
    PassiveClientRunner.runFile("passive-client-welcome.json");
  }
}
