package io.spacepanda.internal.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spacepanda.internal.crypto.SecretBytes;
import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.space.Contact;
import io.spacepanda.internal.space.InviteCode;
import io.spacepanda.internal.space.SpaceId;
import io.spacepanda.spi.Id;
import io.spacepanda.Storages;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The stored form of pending joins: one outbox id per recipient, and version-1 records still read. */
class PendingJoinsTest {

  private final NodeContext ctx = TestContexts.create(Storages.inMemory(), Clock.systemUTC(),
      null, new io.spacepanda.SpacePandaListener() {});

  private PendingJoins.Record record(List<Id> ids) {
    InviteCode code = InviteCode.of(SpaceId.of(new byte[16]),
        new Contact(io.spacepanda.PeerId.fromPublicKey(new byte[32]), new byte[32], List.of()),
        List.of(new Contact(io.spacepanda.PeerId.fromPublicKey(filled(7)), new byte[32], List.of())),
        SecretBytes.copyOf(filled(3)), Instant.parse("2030-01-01T00:00:00Z"));
    return new PendingJoins.Record(code, ctx.keyPackage(), ctx.keyPackage(),
        Instant.parse("2029-01-01T00:00:00Z"), ids);
  }

  private static byte[] filled(int b) {
    byte[] out = new byte[32];
    Arrays.fill(out, (byte) b);
    return out;
  }

  @Test
  void encodeDecode_keepsOneRequestIdPerRecipient() throws Exception {
    PendingJoins.Record r = record(List.of(Id.of(filled(1)), Id.of(filled(2))));
    PendingJoins.Record back = PendingJoins.decode(PendingJoins.encode(r));
    assertEquals(r.code(), back.code());
    assertEquals(r.requestIds(), back.requestIds());
    assertEquals(r.deadline(), back.deadline());
    assertArrayEquals(r.control().toBytes(), back.control().toBytes());
    assertEquals(2, PendingJoins.recipients(back.code()).size());
  }

  @Test
  void versionOneRecord_withItsSingleRequestId_isStillRead() throws Exception {
    PendingJoins.Record r = record(List.of(Id.of(filled(1))));
    byte[] v2 = PendingJoins.encode(r);
    // Version 1 had no id count: drop it and set the version byte.
    ByteBuffer v1 = ByteBuffer.allocate(v2.length - 1);
    v1.put((byte) 1).put(v2, 1, 8).put(v2, 10, v2.length - 10);
    PendingJoins.Record back = PendingJoins.decode(v1.array());
    assertEquals(r.requestIds(), back.requestIds());
    assertEquals(r.code(), back.code());
  }

  @Test
  void truncatedOrUnknownVersion_failsTyped() {
    byte[] v2 = PendingJoins.encode(record(List.of(Id.of(filled(1)))));
    for (int n : new int[] {0, 1, 9, 10, 20, v2.length - 1}) {
      byte[] cut = Arrays.copyOf(v2, n);
      assertThrows(MlsDecodeException.class, () -> PendingJoins.decode(cut), "length " + n);
    }
    byte[] bad = v2.clone();
    bad[0] = 9;
    assertThrows(MlsDecodeException.class, () -> PendingJoins.decode(bad));
  }
}
