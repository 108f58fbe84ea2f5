package io.spacepanda.internal.mls.group;

import static io.spacepanda.internal.mls.group.GroupFixtures.assertConverged;
import static io.spacepanda.internal.mls.group.GroupFixtures.sendAndCheck;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.internal.mls.MlsException;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.message.Credential;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The whole life of a group (add, messages, update, remove, save) in every cipher suite. */
class GroupSuitesTest {

  private static KeyPackageBundle bundle(MlsConfig config, CipherSuite suite, String name) {
    return KeyPackageBundle.create(config, suite,
        Credential.basic(name.getBytes(StandardCharsets.UTF_8)),
        suite.generateSignatureKeyPair(config.random()));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7})
  void groupLifecycle_worksInEverySuite(int id) throws MlsException {
    CipherSuite suite = CipherSuite.byId(id).orElseThrow();
    MlsConfig config = GroupFixtures.config(id);
    Group a = Group.create(config, suite, "suites".getBytes(StandardCharsets.UTF_8),
        Credential.basic(new byte[] {1}), suite.generateSignatureKeyPair(config.random()));
    KeyPackageBundle kb = bundle(config, suite, "b");
    KeyPackageBundle kc = bundle(config, suite, "c");
    CommitResult r = a.commit(CommitOptions.builder().add(kb.keyPackage())
        .add(kc.keyPackage()).build());
    a.mergePendingCommit();
    Group b = Group.joinFromWelcome(config, r.welcomeOrNull(), kb, null, PskLookup.NONE);
    Group c = Group.joinFromWelcome(config, r.welcomeOrNull(), kc, null, PskLookup.NONE);
    List<Group> all = List.of(a, b, c);
    assertConverged(all);
    sendAndCheck(b, "hi", all);
    var up = c.proposeUpdate();
    a.process(up);
    b.process(up);
    CommitResult u = a.commit(CommitOptions.defaults());
    a.mergePendingCommit();
    b.process(u.commit());
    c.process(u.commit());
    assertConverged(all);
    b = Group.fromBytes(config, b.toBytes());
    CommitResult rm = b.commit(CommitOptions.builder().remove(c.ownLeafIndex()).build());
    b.mergePendingCommit();
    a.process(rm.commit());
    assertTrue(((ProcessedMessage.CommitApplied) c.process(rm.commit())).selfRemoved());
    assertConverged(List.of(a, b));
    sendAndCheck(a, "bye", List.of(a, b));
  }
}
