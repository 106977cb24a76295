// The status writer: Ingress status and Events, written by the replica holding the Lease.
export { StatusPublisher, type StatusPublisherOptions } from './status-publisher.ts';
export { leaseNamespaceOf, publisherIdentity } from './publisher-identity.ts';
