/**
 * A Kademlia DHT after the libp2p kad-dht spec (libp2p/specs kad-dht/README.md): the {@code
 * /ipfs/kad/1.0.0} protobuf messages ({@link io.spacepanda.internal.net.kad.KadMessage}), k-bucket
 * routing table with ping-before-evict and a per-IP-group diversity filter ({@link
 * io.spacepanda.internal.net.kad.RoutingTable}), iterative lookups over disjoint paths, value
 * records with expiry validated per namespace and provider records ({@link
 * io.spacepanda.internal.net.kad.KadDht}), bound to a libp2p host by {@link
 * io.spacepanda.internal.net.kad.HostKadNetwork}.
 */
package io.spacepanda.internal.net.kad;
