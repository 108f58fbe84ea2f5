package io.spacepanda.internal.mls.group;

import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.MlsException;
import io.spacepanda.internal.mls.group.GroupFixtures.Client;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Saved group state: random and mutated bytes end only in MlsDecodeException. */
class GroupStateCodecTest {

  private static byte[] saved;

  private static synchronized byte[] saved() throws MlsException {
    if (saved == null) {
      MlsConfig config = GroupFixtures.config(11);
      Group a = Client.named("a", config).create("codec");
      KeyPackageBundle kb = Client.named("b", config).keyPackage();
      CommitResult r = a.commit(CommitOptions.builder().add(kb.keyPackage()).build());
      a.mergePendingCommit();
      a.protect(new byte[3], new byte[0]);
      a.proposeUpdate();
      saved = a.toBytes();
    }
    return saved;
  }

  @Property(tries = 300)
  void mutatedState_failsOnlyWithDecodeException(@ForAll @IntRange(min = 0, max = 100000) int at,
      @ForAll byte value) throws MlsException {
    byte[] bytes = saved().clone();
    bytes[at % bytes.length] ^= (byte) (value == 0 ? 1 : value);
    try {
      Group.fromBytes(GroupFixtures.config(1), bytes);
    } catch (MlsDecodeException expected) {
      // a typed failure is the only acceptable one
    }
  }

  @Property(tries = 200)
  void truncatedState_failsWithDecodeException(@ForAll @IntRange(min = 0, max = 100000) int cut)
      throws MlsException {
    byte[] bytes = saved();
    byte[] shorter = java.util.Arrays.copyOf(bytes, cut % bytes.length);
    try {
      Group.fromBytes(GroupFixtures.config(1), shorter);
      throw new AssertionError("truncated state decoded");
    } catch (MlsDecodeException expected) {
      // expected
    }
  }

  @Property(tries = 200)
  void randomBytes_failWithDecodeException(@ForAll byte[] bytes) {
    try {
      Group.fromBytes(GroupFixtures.config(1), bytes);
      throw new AssertionError("random bytes decoded");
    } catch (MlsDecodeException expected) {
      // expected
    }
  }
}
