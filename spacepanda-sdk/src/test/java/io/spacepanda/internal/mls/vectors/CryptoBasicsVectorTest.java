package io.spacepanda.internal.mls.vectors;

import static io.spacepanda.internal.mls.vectors.MlsVectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.crypto.HpkeCiphertext;
import org.junit.jupiter.api.Test;

/** crypto-basics.json: the labelled operations of RFC 9420 §5 per cipher suite. */
class CryptoBasicsVectorTest {

  @Test
  void cryptoBasics() {
    MlsVectors.Report report = new MlsVectors.Report("crypto-basics.json");
    for (JsonNode c : MlsVectors.load("crypto-basics.json")) {
      var suite = MlsVectors.suite(c);
      if (suite.isEmpty()) {
        report.skip();
        continue;
      }
      CipherSuite s = suite.get();
      report.run("suite " + s.id(), () -> {
        JsonNode rh = c.get("ref_hash");
        assertArrayEquals(hex(rh.get("out")), s.refHash(rh.get("label").asText(), hex(rh.get("value"))));

        JsonNode ewl = c.get("expand_with_label");
        assertArrayEquals(hex(ewl.get("out")), s.expandWithLabel(hex(ewl.get("secret")),
            ewl.get("label").asText(), hex(ewl.get("context")), ewl.get("length").asInt()));

        JsonNode ds = c.get("derive_secret");
        assertArrayEquals(hex(ds.get("out")), s.deriveSecret(hex(ds.get("secret")), ds.get("label").asText()));

        JsonNode dts = c.get("derive_tree_secret");
        assertArrayEquals(hex(dts.get("out")), s.deriveTreeSecret(hex(dts.get("secret")),
            dts.get("label").asText(), dts.get("generation").asLong(), dts.get("length").asInt()));

        JsonNode swl = c.get("sign_with_label");
        byte[] pub = hex(swl.get("pub"));
        String label = swl.get("label").asText();
        byte[] content = hex(swl.get("content"));
        assertArrayEquals(pub, s.signaturePublicKey(hex(swl.get("priv"))));
        assertTrue(s.verifyWithLabel(pub, label, content, hex(swl.get("signature"))));
        byte[] mine = s.signWithLabel(hex(swl.get("priv")), label, content);
        assertTrue(s.verifyWithLabel(pub, label, content, mine));

        JsonNode enc = c.get("encrypt_with_label");
        byte[] priv = hex(enc.get("priv"));
        assertArrayEquals(hex(enc.get("pub")), s.hpkePublicKey(priv));
        byte[] pt = s.decryptWithLabel(priv, enc.get("label").asText(), hex(enc.get("context")),
            new HpkeCiphertext(hex(enc.get("kem_output")), hex(enc.get("ciphertext"))));
        assertArrayEquals(hex(enc.get("plaintext")), pt);
        HpkeCiphertext again = s.encryptWithLabel(hex(enc.get("pub")), enc.get("label").asText(),
            hex(enc.get("context")), hex(enc.get("plaintext")));
        assertArrayEquals(hex(enc.get("plaintext")), s.decryptWithLabel(priv,
            enc.get("label").asText(), hex(enc.get("context")), again));
      });
    }
    report.finish();
  }
}
