package io.spacepanda.internal.mls.vectors;

import static io.spacepanda.internal.mls.vectors.MlsVectors.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.group.WelcomeOpener;
import io.spacepanda.internal.mls.message.GroupInfo;
import io.spacepanda.internal.mls.message.KeyPackage;
import io.spacepanda.internal.mls.message.MlsMessage;
import io.spacepanda.internal.mls.message.Welcome;
import io.spacepanda.internal.mls.message.WireFormat;
import org.junit.jupiter.api.Test;

/**
 * welcome.json: decrypt the Welcome with init_priv for key_package, check the GroupInfo's
 * signature with signer_pub and its confirmation tag (RFC 9420 §12.4.3.1).
 */
class WelcomeVectorTest {

  @Test
  void welcome() {
    MlsVectors.Report report = new MlsVectors.Report("welcome.json");
    for (JsonNode c : MlsVectors.load("welcome.json")) {
      var suite = MlsVectors.suite(c);
      if (suite.isEmpty()) {
        report.skip();
        continue;
      }
      CipherSuite s = suite.get();
      report.run("suite " + s.id(), () -> {
        MlsMessage kpMsg = TlsReader.decodeExactly(hex(c.get("key_package")), MlsMessage::decode);
        MlsMessage wMsg = TlsReader.decodeExactly(hex(c.get("welcome")), MlsMessage::decode);
        assertEquals(WireFormat.KEY_PACKAGE, kpMsg.wireFormat());
        assertEquals(WireFormat.WELCOME, wMsg.wireFormat());
        KeyPackage kp = kpMsg.keyPackage();
        Welcome welcome = wMsg.welcome();
        WelcomeOpener.Opened opened = WelcomeOpener.open(s, welcome, kp,
            hex(c.get("init_priv")), psks -> {
              assertTrue(psks.isEmpty());
              return null;
            });
        GroupInfo gi = opened.groupInfo();
        assertNotNull(gi);
        assertTrue(s.verifyWithLabel(hex(c.get("signer_pub")), "GroupInfoTBS", gi.toBeSigned(),
            gi.signature()), "group info signature");
        assertTrue(opened.confirmationTagValid(), "confirmation tag");
      });
    }
    report.finish();
  }
}
