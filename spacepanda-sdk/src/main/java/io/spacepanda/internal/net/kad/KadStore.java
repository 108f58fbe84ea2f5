package io.spacepanda.internal.net.kad;

import io.spacepanda.PeerId;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The records and provider records a node holds for others, bounded in count, each with an
 * expiry. Not thread-safe: {@link KadDht} guards it with its lock.
 */
final class KadStore {

  record Stored(byte[] value, long expiresAt) {}

  record Provider(KadPeer peer, long expiresAt) {}

  private final int maxRecords;
  private final int maxProviderKeys;
  private final int maxProvidersPerKey;
  private final LinkedHashMap<String, Stored> records = new LinkedHashMap<>();
  private final LinkedHashMap<String, LinkedHashMap<PeerId, Provider>> providers = new LinkedHashMap<>();

  KadStore(int maxRecords, int maxProviderKeys, int maxProvidersPerKey) {
    this.maxRecords = maxRecords;
    this.maxProviderKeys = maxProviderKeys;
    this.maxProvidersPerKey = maxProvidersPerKey;
  }

  private static String hex(byte[] key) {
    return HexFormat.of().formatHex(key);
  }

  /** Stores a record; when full, the record expiring first gives way. */
  void put(byte[] key, byte[] value, long expiresAt, long now) {
    expire(now);
    String k = hex(key);
    records.remove(k);
    if (records.size() >= maxRecords) {
      String victim = null;
      long soonest = Long.MAX_VALUE;
      for (Map.Entry<String, Stored> e : records.entrySet()) {
        if (e.getValue().expiresAt < soonest) {
          soonest = e.getValue().expiresAt;
          victim = e.getKey();
        }
      }
      records.remove(victim);
    }
    records.put(k, new Stored(value.clone(), expiresAt));
  }

  Stored get(byte[] key, long now) {
    Stored s = records.get(hex(key));
    if (s != null && s.expiresAt <= now) {
      records.remove(hex(key));
      return null;
    }
    return s;
  }

  int recordCount() {
    return records.size();
  }

  void addProvider(byte[] key, KadPeer peer, long expiresAt, long now) {
    String k = hex(key);
    LinkedHashMap<PeerId, Provider> set = providers.get(k);
    if (set == null) {
      if (providers.size() >= maxProviderKeys) {
        expire(now);
        if (providers.size() >= maxProviderKeys) {
          Iterator<String> it = providers.keySet().iterator();
          it.next();
          it.remove();
        }
      }
      set = new LinkedHashMap<>();
      providers.put(k, set);
    }
    set.remove(peer.id());
    if (set.size() >= maxProvidersPerKey) {
      Iterator<PeerId> it = set.keySet().iterator();
      it.next();
      it.remove();
    }
    set.put(peer.id(), new Provider(peer, expiresAt));
  }

  List<KadPeer> providers(byte[] key, long now, int max) {
    LinkedHashMap<PeerId, Provider> set = providers.get(hex(key));
    List<KadPeer> out = new ArrayList<>();
    if (set == null) {
      return out;
    }
    set.values().removeIf(p -> p.expiresAt <= now);
    List<Provider> all = new ArrayList<>(set.values());
    for (int i = all.size() - 1; i >= 0 && out.size() < max; i--) {
      out.add(all.get(i).peer);
    }
    return out;
  }

  void expire(long now) {
    records.values().removeIf(s -> s.expiresAt <= now);
    for (Iterator<LinkedHashMap<PeerId, Provider>> it = providers.values().iterator(); it.hasNext(); ) {
      LinkedHashMap<PeerId, Provider> set = it.next();
      set.values().removeIf(p -> p.expiresAt <= now);
      if (set.isEmpty()) {
        it.remove();
      }
    }
  }
}
