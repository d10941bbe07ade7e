import { join } from 'node:path';

/** TLS on every port of the set: the server certificate (for 127.0.0.1) and the CA that issued it. */
export interface SentinelSetTls {
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** What the configuration of every process of a set shares. */
export interface SetConfig {
  masterName: string;
  user: string;
  password: string;
  sentinelPassword: string;
  tls?: SentinelSetTls;
}

/** Plain TCP, or TLS only (no plain port), with TLS also on the connections the process makes. */
function listenLines(port: number, tls: SentinelSetTls | undefined): string[] {
  if (!tls) return [`port ${port}`];
  return [
    'port 0',
    `tls-port ${port}`,
    `tls-cert-file ${tls.certFile}`,
    `tls-key-file ${tls.keyFile}`,
    `tls-ca-cert-file ${tls.caFile}`,
    'tls-auth-clients no',
    'tls-replication yes',
  ];
}

/** A data node without persistence whose only login is the set's ACL user (replication uses it too). */
export function dataNodeConfig(set: SetConfig, port: number, dir: string, replicaOf?: number): string[] {
  return [
    'bind 127.0.0.1',
    ...listenLines(port, set.tls),
    `dir ${dir}`,
    `logfile ${join(dir, 'redis.log')}`,
    'save ""',
    'appendonly no',
    'user default off',
    `user ${set.user} on >${set.password} ~* &* +@all`,
    `masteruser ${set.user}`,
    `masterauth ${set.password}`,
    ...(replicaOf === undefined ? [] : [`replicaof 127.0.0.1 ${replicaOf}`]),
  ];
}

/** A sentinel of quorum 2 that calls a master down after one second without an answer. */
export function sentinelConfig(set: SetConfig, port: number, dir: string, masterPort: number): string[] {
  const name = set.masterName;
  return [
    'bind 127.0.0.1',
    ...listenLines(port, set.tls),
    `dir ${dir}`,
    `logfile ${join(dir, 'sentinel.log')}`,
    `requirepass ${set.sentinelPassword}`,
    `sentinel monitor ${name} 127.0.0.1 ${masterPort} 2`,
    `sentinel auth-user ${name} ${set.user}`,
    `sentinel auth-pass ${name} ${set.password}`,
    // Short enough for a test, long enough that a loaded 2-core CI machine does not see a busy node as down
    // (a replica flagged down mid-promotion made a failover abort with -failover-abort-slave-timeout).
    `sentinel down-after-milliseconds ${name} 2000`,
    `sentinel failover-timeout ${name} 15000`,
  ];
}
