package io.spacepanda.internal.mls.message;

import static io.spacepanda.internal.mls.vectors.MlsVectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.vectors.MlsVectors;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KeyPackageTest {

  @Test
  void ref_matchesNewMemberOfOfficialWelcome_andSignatureVerifies() throws MlsDecodeException {
    int checked = 0;
    // welcome.json pairs a key package with the Welcome that adds it (RFC 9420 §12.4.3.1)
    for (JsonNode c : MlsVectors.load("welcome.json")) {
      Optional<CipherSuite> suite = MlsVectors.suite(c);
      if (suite.isEmpty()) {
        continue;
      }
      KeyPackage kp = TlsReader.decodeExactly(hex(c.get("key_package")), MlsMessage::decode)
          .keyPackage();
      Welcome w = TlsReader.decodeExactly(hex(c.get("welcome")), MlsMessage::decode).welcome();
      byte[] ref = kp.ref(suite.get());
      assertTrue(w.secrets().stream().anyMatch(s -> Arrays.equals(ref, s.newMember())));
      assertTrue(suite.get().verifyWithLabel(kp.leafNode().signatureKey(), "KeyPackageTBS",
          kp.toBeSigned(), kp.signature()));
      checked++;
    }
    assertTrue(checked > 0);
  }

  @Test
  void toBeSigned_isEncodingWithoutSignature() {
    KeyPackage kp = WireFixtures.keyPackage();
    byte[] all = kp.toBytes();
    assertArrayEquals(Arrays.copyOf(all, all.length - 3), kp.toBeSigned());
  }
}
