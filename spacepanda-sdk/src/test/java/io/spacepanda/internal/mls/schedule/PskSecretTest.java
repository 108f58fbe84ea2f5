package io.spacepanda.internal.mls.schedule;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.message.PreSharedKeyId;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PskSecretTest {

  private static final CipherSuite SUITE = CipherSuite.X25519_AES128GCM_SHA256_ED25519;

  private static PskSecret.Input external(int id, int value) {
    PreSharedKeyId psk = new PreSharedKeyId(1, new byte[] {(byte) id}, 0, null, 0, new byte[32]);
    return new PskSecret.Input(psk, new byte[] {(byte) value});
  }

  @Test
  void compute_noPsks_isZeroVector() {
    assertArrayEquals(new byte[32], PskSecret.compute(SUITE, List.of()));
  }

  @Test
  void compute_orderOfPsks_matters() {
    byte[] ab = PskSecret.compute(SUITE, List.of(external(1, 1), external(2, 2)));
    byte[] ba = PskSecret.compute(SUITE, List.of(external(2, 2), external(1, 1)));
    assertFalse(Arrays.equals(ab, ba));
  }

  @Test
  void compute_differentPskValue_differentSecret() {
    assertFalse(Arrays.equals(PskSecret.compute(SUITE, List.of(external(1, 1))),
        PskSecret.compute(SUITE, List.of(external(1, 2)))));
  }
}
