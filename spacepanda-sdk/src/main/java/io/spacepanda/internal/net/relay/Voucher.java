package io.spacepanda.internal.net.relay;

import io.spacepanda.internal.net.keys.IdentitySigner;
import io.spacepanda.internal.net.record.RecordException;
import io.spacepanda.internal.net.record.SignedEnvelope;
import io.spacepanda.internal.net.relay.RelayException.Status;
import java.util.Arrays;

/**
 * A reservation voucher (libp2p/specs relay/circuit-v2.md, "Reservation Vouchers"): {@code Voucher
 * { required bytes relay = 1; required bytes peer = 2; required uint64 expiration = 3; }} in
 * canonical field order, carried in a signed envelope ({@link SignedEnvelope}, the codec shared with
 * signed peer records) of domain {@link RelayConstants#VOUCHER_DOMAIN} signed by the relay. Immutable.
 *
 * @param relay the relay's peer id multihash
 * @param peer the reserving peer's id multihash
 * @param expiration UNIX seconds (UTC)
 */
public record Voucher(byte[] relay, byte[] peer, long expiration) {

  /** Copies the arrays. */
  public Voucher {
    relay = relay.clone();
    peer = peer.clone();
  }

  @Override
  public byte[] relay() {
    return relay.clone();
  }

  @Override
  public byte[] peer() {
    return peer.clone();
  }

  /**
   * Encodes the payload.
   *
   * @return the protobuf bytes
   */
  public byte[] encode() {
    return CircuitMessages.write(out -> {
      out.writeByteArray(1, relay);
      out.writeByteArray(2, peer);
      out.writeUInt64(3, expiration);
    });
  }

  /**
   * Decodes a payload.
   *
   * @param data the protobuf bytes
   * @return the voucher
   * @throws RelayException when malformed or a field is missing
   */
  public static Voucher decode(byte[] data) throws RelayException {
    byte[][] ids = new byte[2][];
    long[] exp = {0};
    boolean[] hasExp = {false};
    CircuitMessages.read(data, new boolean[] {false, false, true}, (field, in) -> {
      if (field == 3) {
        exp[0] = in.readUInt64();
        hasExp[0] = true;
      } else {
        ids[field - 1] = in.readByteArray();
      }
    });
    if (ids[0] == null || ids[1] == null || !hasExp[0]) {
      throw new RelayException(Status.MALFORMED_MESSAGE, "voucher lacks a field");
    }
    return new Voucher(ids[0], ids[1], exp[0]);
  }

  /**
   * Signs this voucher as the relay.
   *
   * @param relayIdentity the relay's identity (its peer id must be {@link #relay()})
   * @return the envelope bytes
   */
  public byte[] sign(IdentitySigner relayIdentity) {
    return SignedEnvelope.seal(relayIdentity, RelayConstants.VOUCHER_DOMAIN, RelayConstants.VOUCHER_PAYLOAD_TYPE,
        encode()).encode();
  }

  /**
   * Opens a signed voucher: decodes the envelope, checks its signature and payload type and that the
   * signer is the voucher's relay.
   *
   * @param envelope the envelope bytes
   * @return the voucher
   * @throws RelayException when malformed or not validly signed by the relay it names
   */
  public static Voucher open(byte[] envelope) throws RelayException {
    SignedEnvelope e;
    try {
      e = SignedEnvelope.open(envelope, RelayConstants.VOUCHER_DOMAIN, RelayConstants.VOUCHER_PAYLOAD_TYPE);
    } catch (RecordException bad) {
      throw new RelayException(Status.MALFORMED_MESSAGE, "voucher envelope invalid: " + bad.getMessage(), bad);
    }
    Voucher v = decode(e.payload());
    if (!Arrays.equals(v.relay, e.publicKey().peerIdMultihash())) {
      throw new RelayException(Status.MALFORMED_MESSAGE, "voucher not signed by its relay");
    }
    return v;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Voucher v && Arrays.equals(v.relay, relay) && Arrays.equals(v.peer, peer)
        && v.expiration == expiration;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(relay) * 31 + Arrays.hashCode(peer) + Long.hashCode(expiration);
  }
}
