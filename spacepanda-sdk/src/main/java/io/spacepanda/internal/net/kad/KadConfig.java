package io.spacepanda.internal.net.kad;

import java.time.Duration;
import java.util.Objects;

/**
 * Parameters of a {@link KadDht}.
 *
 * @param protocolId the stream protocol; {@value #DEFAULT_PROTOCOL_ID} keeps SpacePanda's DHT
 *     apart from others, {@code /ipfs/kad/1.0.0} joins the public IPFS one
 * @param k bucket size and replication factor (spec: 20)
 * @param alpha requests in flight per lookup (spec: 3)
 * @param disjointPaths lookup paths that never share a peer (S/Kademlia); 1 is plain Kademlia
 * @param rpcTimeout how long one request may take
 * @param maxQueriesPerLookup requests one lookup sends at most, so that a lookup always ends
 * @param refreshInterval buckets no lookup touched for this long are refreshed
 * @param maxRefreshCpl the deepest bucket refreshed (deeper ones are reached by the self lookup)
 * @param recordTtl how long a stored record lives unless its value says less
 * @param providerTtl how long a provider record lives
 * @param maxRecords records held for others at most
 * @param maxProviderKeys provider keys held at most
 * @param maxPerGroupPerBucket diversity limit per bucket
 * @param maxPerGroupInTable diversity limit in the table
 * @param getValueQuorum valid values a GET_VALUE lookup collects before it stops
 */
public record KadConfig(String protocolId, int k, int alpha, int disjointPaths, Duration rpcTimeout,
    int maxQueriesPerLookup, Duration refreshInterval, int maxRefreshCpl, Duration recordTtl,
    Duration providerTtl, int maxRecords, int maxProviderKeys, int maxPerGroupPerBucket,
    int maxPerGroupInTable, int getValueQuorum) {

  /** SpacePanda's own DHT protocol id. */
  public static final String DEFAULT_PROTOCOL_ID = "/spacepanda/kad/1.0.0";

  /** The public IPFS/libp2p DHT protocol id. */
  public static final String IPFS_PROTOCOL_ID = "/ipfs/kad/1.0.0";

  /**
   * Checks the parameters.
   *
   * @throws IllegalArgumentException when a count is not positive
   */
  public KadConfig {
    Objects.requireNonNull(protocolId, "protocolId");
    Objects.requireNonNull(rpcTimeout, "rpcTimeout");
    Objects.requireNonNull(refreshInterval, "refreshInterval");
    Objects.requireNonNull(recordTtl, "recordTtl");
    Objects.requireNonNull(providerTtl, "providerTtl");
    if (!protocolId.startsWith("/") || k < 1 || alpha < 1 || disjointPaths < 1 || disjointPaths > alpha
        || maxQueriesPerLookup < 1 || maxRecords < 1 || maxProviderKeys < 1 || maxPerGroupPerBucket < 1
        || maxPerGroupInTable < 1 || getValueQuorum < 1 || maxRefreshCpl < 0 || maxRefreshCpl > 30) {
      throw new IllegalArgumentException("kad parameter out of range");
    }
  }

  /**
   * Returns the defaults: SpacePanda protocol id, k = 20, α = 3, 3 disjoint paths, 5 s per request,
   * 100 requests per lookup, refresh after 10 min up to bucket 15, records 36 h, providers 48 h,
   * 4096 records and provider keys, at most 2 peers per IP group in a bucket and 10 in the table,
   * GET_VALUE quorum 3.
   *
   * @return the defaults
   */
  public static KadConfig defaults() {
    return new KadConfig(DEFAULT_PROTOCOL_ID, 20, 3, 3, Duration.ofSeconds(5), 100,
        Duration.ofMinutes(10), 15, Duration.ofHours(36), Duration.ofHours(48), 4096, 4096, 2, 10, 3);
  }

  /**
   * Returns a copy with another protocol id.
   *
   * @param id the protocol id
   * @return the copy
   */
  public KadConfig withProtocolId(String id) {
    return new KadConfig(id, k, alpha, disjointPaths, rpcTimeout, maxQueriesPerLookup, refreshInterval,
        maxRefreshCpl, recordTtl, providerTtl, maxRecords, maxProviderKeys, maxPerGroupPerBucket,
        maxPerGroupInTable, getValueQuorum);
  }

  /**
   * Returns a copy with other diversity limits.
   *
   * @param perBucket peers of one IP group per bucket
   * @param inTable peers of one IP group in the table
   * @return the copy
   */
  public KadConfig withDiversity(int perBucket, int inTable) {
    return new KadConfig(protocolId, k, alpha, disjointPaths, rpcTimeout, maxQueriesPerLookup,
        refreshInterval, maxRefreshCpl, recordTtl, providerTtl, maxRecords, maxProviderKeys, perBucket,
        inTable, getValueQuorum);
  }

  /**
   * Returns a copy with another request timeout.
   *
   * @param timeout per request
   * @return the copy
   */
  public KadConfig withRpcTimeout(Duration timeout) {
    return new KadConfig(protocolId, k, alpha, disjointPaths, timeout, maxQueriesPerLookup,
        refreshInterval, maxRefreshCpl, recordTtl, providerTtl, maxRecords, maxProviderKeys,
        maxPerGroupPerBucket, maxPerGroupInTable, getValueQuorum);
  }

  /**
   * Returns a copy with another refresh interval.
   *
   * @param interval the refresh interval
   * @return the copy
   */
  public KadConfig withRefreshInterval(Duration interval) {
    return new KadConfig(protocolId, k, alpha, disjointPaths, rpcTimeout, maxQueriesPerLookup,
        interval, maxRefreshCpl, recordTtl, providerTtl, maxRecords, maxProviderKeys,
        maxPerGroupPerBucket, maxPerGroupInTable, getValueQuorum);
  }
}
