package io.spacepanda.internal.mls.group;

import io.spacepanda.internal.mls.MlsConstants;
import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.MlsException;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.message.Credential;
import io.spacepanda.internal.mls.message.GroupContext;
import io.spacepanda.internal.mls.message.Proposal;
import io.spacepanda.internal.mls.message.RatchetTreeData;
import io.spacepanda.internal.mls.message.Sender;
import io.spacepanda.internal.mls.schedule.EpochSecrets;
import io.spacepanda.internal.mls.schedule.SecretTree;
import io.spacepanda.internal.mls.tree.RatchetTree;
import io.spacepanda.internal.mls.tree.TreeKem;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The private, versioned storage format of a {@link Group} (not a wire structure).
 *
 * <p>Layout, in TLS presentation-language encoding:
 *
 * <pre>
 * uint8 version = 1; uint16 suite; opaque signature_private_key&lt;V&gt;;
 * uint8 active; optional&lt;Proposal&gt; reinit;
 * GroupContext context; opaque ratchet_tree&lt;V&gt;; uint32 own_leaf;
 * PathKey path_keys&lt;V&gt;                 (uint32 node; opaque private_key&lt;V&gt;)
 * opaque epoch_secrets&lt;V&gt;; opaque interim_transcript_hash&lt;V&gt;;
 * opaque confirmation_tag&lt;V&gt;; opaque secret_tree&lt;V&gt;;
 * PastEpoch past&lt;V&gt;                     (GroupContext; opaque sender_data_secret&lt;V&gt;;
 *                                         opaque secret_tree&lt;V&gt;;
 *                                         PastMember members&lt;V&gt; (uint32 leaf;
 *                                         Credential; opaque signature_key&lt;V&gt;))
 * CachedProposal proposals&lt;V&gt;           (opaque ref&lt;V&gt;; Proposal; Sender)
 * KeyPair own_update_keys&lt;V&gt;            (opaque public&lt;V&gt;; opaque private&lt;V&gt;)
 * Resumption resumption&lt;V&gt;             (uint64 epoch; opaque psk&lt;V&gt;)
 * ExternalPsk external_psks&lt;V&gt;          (opaque id&lt;V&gt;; opaque psk&lt;V&gt;)
 * </pre>
 *
 * <p>The size is bounded by the group's size, the retention window ({@link
 * MlsConfig#pastEpochsRetained()}, {@link MlsConfig#resumptionSecretsRetained()}) and the secret
 * trees' skipped-key bounds; it does not grow with the number of epochs.
 */
final class GroupStateCodec {

  /** Format version written first. */
  static final int VERSION = 1;

  private static final HexFormat HEX = HexFormat.of();

  private GroupStateCodec() {}

  static byte[] encode(Group g) {
    TlsWriter w = new TlsWriter(4096);
    w.u8(VERSION).u16(g.suite.id()).opaque(g.signaturePrivateKey);
    w.u8(g.active ? 1 : 0);
    w.optional(g.reInit);
    EpochState st = g.state;
    st.context.encode(w);
    w.opaque(st.tree.encode());
    w.u32(st.ownLeaf());
    w.vector(v -> {
      for (int node : st.kem.knownNodes(st.tree)) {
        v.u32(node).opaque(st.kem.privateKeyOrNull(st.tree, node));
      }
    });
    w.opaque(st.secrets.toBytes()).opaque(st.interimTranscriptHash)
        .opaque(st.confirmationTag).opaque(st.secretTree.toBytes());
    w.vector(v -> {
      for (PastEpoch pe : g.past) {
        pe.context.encode(v);
        v.opaque(pe.senderDataSecret).opaque(pe.secretTree.toBytes());
        v.vector(lv -> {
          for (Member m : pe.members.values()) {
            lv.u32(m.leafIndex());
            m.credential().encode(lv);
            lv.opaque(m.signatureKey());
          }
        });
      }
    });
    w.vector(v -> {
      for (Group.CachedProposal cp : g.proposals.values()) {
        v.opaque(cp.ref());
        cp.proposal().encode(v);
        cp.sender().encode(v);
      }
    });
    w.vector(v -> {
      for (Map.Entry<String, byte[]> e : g.ownUpdateKeys.entrySet()) {
        v.opaque(HEX.parseHex(e.getKey())).opaque(e.getValue());
      }
    });
    w.vector(v -> {
      for (Map.Entry<Long, byte[]> e : g.resumptionPsks.entrySet()) {
        v.u64(e.getKey()).opaque(e.getValue());
      }
    });
    w.vector(v -> {
      for (Map.Entry<String, byte[]> e : g.externalPsks.entrySet()) {
        v.opaque(HEX.parseHex(e.getKey())).opaque(e.getValue());
      }
    });
    return w.toByteArray();
  }

  /** A decoded pair of values (a node or leaf index, epoch, or key with its value). */
  private static final class Pair<A, B> {
    final A a;
    final B b;

    Pair(A a, B b) {
      this.a = a;
      this.b = b;
    }
  }

  /** A decoded past epoch. */
  private static final class Past {
    final GroupContext context;
    final byte[] senderDataSecret;
    final byte[] secretTree;
    final List<Member> members;

    Past(GroupContext context, byte[] senderDataSecret, byte[] secretTree,
        List<Member> members) {
      this.context = context;
      this.senderDataSecret = senderDataSecret;
      this.secretTree = secretTree;
      this.members = members;
    }
  }

  /** Format version of the ratchet state, written first. */
  static final int RATCHET_VERSION = 1;

  /**
   * Encodes the secret trees of the current and the retained past epochs, the only part of the
   * state that sending or receiving an application message changes.
   *
   * <p>Layout: {@code uint8 version = 1; EpochTree trees<V>} with {@code EpochTree = (uint64
   * epoch; opaque secret_tree<V>)}, the current epoch first.
   */
  static byte[] encodeRatchetState(Group g) {
    TlsWriter w = new TlsWriter(256);
    w.u8(RATCHET_VERSION);
    w.vector(v -> {
      v.u64(g.state.epoch()).opaque(g.state.secretTree.toBytes());
      for (PastEpoch pe : g.past) {
        v.u64(pe.epoch()).opaque(pe.secretTree.toBytes());
      }
    });
    return w.toByteArray();
  }

  /** Decodes a ratchet state into its secret trees' encodings by epoch. */
  static Map<Long, byte[]> decodeRatchetState(byte[] bytes) throws MlsDecodeException {
    return TlsReader.decodeExactly(bytes, r -> {
      if (r.u8() != RATCHET_VERSION) {
        throw new MlsDecodeException("unknown ratchet state format");
      }
      List<Pair<Long, byte[]>> trees = r.vector(v -> new Pair<>(v.u64(), v.opaque()));
      Map<Long, byte[]> out = new TreeMap<>();
      for (Pair<Long, byte[]> t : trees) {
        if (out.put(t.a, t.b) != null) {
          throw new MlsDecodeException("inconsistent ratchet state");
        }
      }
      return out;
    });
  }

  static Group decode(MlsConfig config, byte[] bytes) throws MlsDecodeException {
    return decode(config, bytes, Map.of());
  }

  /**
   * Decodes a group, taking each epoch's secret tree from {@code trees} where it has one (a newer
   * ratchet state saved after the snapshot) and from the snapshot otherwise.
   */
  static Group decode(MlsConfig config, byte[] bytes, Map<Long, byte[]> trees)
      throws MlsDecodeException {
    return TlsReader.decodeExactly(bytes, r -> {
      if (r.u8() != VERSION) {
        throw new MlsDecodeException("unknown group state format");
      }
      CipherSuite suite = CipherSuite.byId(r.u16())
          .orElseThrow(() -> new MlsDecodeException("unknown cipher suite"));
      byte[] sigPriv = r.opaque(MlsConstants.MAX_SECRET_SIZE);
      int flags = r.u8();
      if (flags > 1) {
        throw new MlsDecodeException("inconsistent group state");
      }
      Proposal reInit = r.optional(Proposal::decode);
      if (reInit != null && !(reInit instanceof Proposal.ReInit)) {
        throw new MlsDecodeException("inconsistent group state");
      }
      GroupContext ctx = GroupContext.decode(r);
      byte[] treeBytes = r.opaque();
      int ownLeaf = index(r);
      List<Pair<Integer, byte[]>> keys = r.vector(v -> new Pair<>(index(v),
          v.opaque(MlsConstants.MAX_SECRET_SIZE)));
      EpochSecrets secrets = EpochSecrets.fromBytes(r.opaque());
      byte[] interim = r.opaque(MlsConstants.MAX_HASH_SIZE);
      byte[] confirmationTag = r.opaque(MlsConstants.MAX_HASH_SIZE);
      byte[] snapshotTree = r.opaque();
      SecretTree secretTree = SecretTree.fromBytes(
          trees.getOrDefault(ctx.epoch(), snapshotTree), Group.limits(config));
      List<Past> past = r.vector(v -> new Past(GroupContext.decode(v),
          v.opaque(MlsConstants.MAX_SECRET_SIZE), v.opaque(),
          v.vector(lv -> new Member(index(lv), Credential.decode(lv),
              lv.opaque(MlsConstants.MAX_PUBLIC_KEY_SIZE)))));
      List<Group.CachedProposal> proposals = r.vector(v -> new Group.CachedProposal(
          v.opaque(MlsConstants.MAX_HASH_SIZE), Proposal.decode(v), Sender.decode(v)));
      List<Pair<byte[], byte[]>> updateKeys = r.vector(v -> new Pair<>(
          v.opaque(MlsConstants.MAX_PUBLIC_KEY_SIZE), v.opaque(MlsConstants.MAX_SECRET_SIZE)));
      List<Pair<Long, byte[]>> resumption = r.vector(v -> new Pair<>(v.u64(),
          v.opaque(MlsConstants.MAX_SECRET_SIZE)));
      List<Pair<byte[], byte[]>> external = r.vector(v -> new Pair<>(
          v.opaque(MlsConstants.MAX_PSK_ID_SIZE), v.opaque()));
      try {
        RatchetTree tree = RatchetTree.fromNodes(suite,
            TlsReader.decodeExactly(treeBytes, RatchetTreeData::decode));
        if (ctx.cipherSuite() != suite.id() || secrets.suite() != suite
            || secretTree.suite() != suite || tree.leaf(ownLeaf) == null && (flags & 1) != 0) {
          throw new MlsDecodeException("inconsistent group state");
        }
        Map<Integer, byte[]> privateKeys = new TreeMap<>();
        for (Pair<Integer, byte[]> k : keys) {
          privateKeys.put(k.a, k.b);
        }
        TreeKem kem = TreeKem.fromPrivateKeys(suite, ownLeaf, privateKeys);
        EpochState st = new EpochState(ctx, tree, kem, secrets, interim, confirmationTag,
            secretTree,
            config.paddingBlockSize(), config.random());
        Group g = new Group(config, suite, sigPriv, st);
        g.active = (flags & 1) != 0;
        g.reInit = (Proposal.ReInit) reInit;
        for (Past p : past) {
          if (g.past.size() >= config.pastEpochsRetained()) {
            break;
          }
          Map<Integer, Member> members = new TreeMap<>();
          for (Member m : p.members) {
            members.put(m.leafIndex(), m);
          }
          g.past.addLast(new PastEpoch(p.context, p.senderDataSecret,
              SecretTree.fromBytes(trees.getOrDefault(p.context.epoch(), p.secretTree),
                  Group.limits(config)), members,
              config.random()));
        }
        for (Group.CachedProposal cp : proposals) {
          g.proposals.put(HEX.formatHex(cp.ref()), cp);
        }
        for (Pair<byte[], byte[]> p : updateKeys) {
          g.ownUpdateKeys.put(HEX.formatHex(p.a), p.b);
        }
        for (Pair<Long, byte[]> res : resumption) {
          g.resumptionPsks.put(res.a, res.b);
        }
        for (Pair<byte[], byte[]> p : external) {
          g.externalPsks.put(HEX.formatHex(p.a), p.b);
        }
        return g;
      } catch (MlsDecodeException e) {
        throw e;
      } catch (MlsException | RuntimeException e) {
        throw new MlsDecodeException("inconsistent group state", e);
      }
    });
  }

  private static int index(TlsReader r) throws MlsDecodeException {
    long v = r.u32();
    if (v > Integer.MAX_VALUE) {
      throw new MlsDecodeException("index out of range");
    }
    return (int) v;
  }
}
