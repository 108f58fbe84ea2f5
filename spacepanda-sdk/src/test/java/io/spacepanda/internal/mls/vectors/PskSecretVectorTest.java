package io.spacepanda.internal.mls.vectors;

import static io.spacepanda.internal.mls.vectors.MlsVectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.message.PreSharedKeyId;
import io.spacepanda.internal.mls.schedule.PskSecret;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** psk_secret.json: the PSK secret of RFC 9420 §8.4 from lists of external PSKs. */
class PskSecretVectorTest {

  @Test
  void pskSecret_allCases_match() {
    MlsVectors.Report report = new MlsVectors.Report("psk_secret.json");
    int n = 0;
    for (JsonNode c : MlsVectors.load("psk_secret.json")) {
      var suite = MlsVectors.suite(c);
      n++;
      if (suite.isEmpty()) {
        report.skip();
        continue;
      }
      CipherSuite s = suite.get();
      report.run("case " + n + " suite " + s.id(), () -> {
        List<PskSecret.Input> inputs = new ArrayList<>();
        for (JsonNode p : c.get("psks")) {
          byte[] id = hex(p.get("psk_id"));
          byte[] nonce = hex(p.get("psk_nonce"));
          PreSharedKeyId pskId = new PreSharedKeyId(PreSharedKeyId.EXTERNAL, id, 0, null, 0, nonce);
          inputs.add(new PskSecret.Input(pskId, hex(p.get("psk"))));
        }
        assertArrayEquals(hex(c.get("psk_secret")), PskSecret.compute(s, inputs));
      });
    }
    report.finish();
  }
}
