import type { LookupFunction } from 'node:net';
import { connect, type SecureContext, type TLSSocket } from 'node:tls';
import { pinMatches, spkiPinOf } from './spki-pin.js';
import { sendQueueOf } from './tcp-send-queue.js';

export interface ConnectOptions {
  host: string;
  port: number;
  secureContext: SecureContext;
  /** With a pin and no CA bundle the pin alone authenticates the server: the chain is not checked. */
  pin?: Buffer;
  checkChain: boolean;
  servername?: string;
  lookup?: LookupFunction;
  timeoutMs: number;
}

/** Why a connection could not carry a batch: `permanent` failures are not worth retrying as they are. */
export class ConnectionFailure extends Error {
  constructor(
    message: string,
    readonly permanent = false,
  ) {
    super(message);
  }
}

/**
 * The least probation of a connection's first batch. A loaded receiver (or a loaded worker) can take far
 * longer than two loopback round trips to close a connection it refuses, and a close missed counts a lost
 * batch as delivered; the wait costs once per connection, and connections are kept.
 */
const PROBATION_FLOOR_MS = 500;

/** How often the kernel's send queue is read while a batch waits for the receiver's TCP acknowledgement. */
const ACK_POLL_MS = [0, 1, 2, 5, 10, 20] as const;

/**
 * One TLS connection to a syslog receiver. TCP syslog has no application acknowledgement, so a batch
 * counts as delivered when the receiver's TCP stack acknowledged every byte of it while the connection
 * was still established (see `sendQueueOf`), and, for the first batch of a connection, when the receiver
 * did not close it within a probation after that: a receiver that refuses a client after the handshake
 * (rsyslog with an untrusted client certificate or another permitted peer) accepts the connection, reads
 * the first bytes and resets it; without the probation every batch would be written into such
 * connections and counted as delivered. Where the kernel's table cannot be read (not Linux), a batch
 * counts as delivered once written to the socket and the probation passed.
 *
 * Still not an application acknowledgement: bytes the receiver's kernel took are lost if the receiver
 * process dies before reading them, or drops them (rsyslog truncates a message over its maxMessageSize).
 * Retries after an unconfirmed batch may deliver it twice; receivers de-duplicate on `id` or `seq`.
 */
export class SyslogTlsConnection {
  private peerClosed = false;
  private confirmedOnce = false;

  private constructor(
    private readonly socket: TLSSocket,
    private readonly handshakeMs: number,
    private readonly timeoutMs: number,
  ) {
    const closed = () => (this.peerClosed = true);
    socket.on('end', closed).on('close', closed).on('error', closed);
    // Receivers send nothing; reading keeps the end of the stream (and a reset) visible.
    socket.on('data', () => undefined);
  }

  static open(options: ConnectOptions): Promise<SyslogTlsConnection> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
      let socket: TLSSocket;
      try {
        socket = connect({
          host: options.host,
          port: options.port,
          secureContext: options.secureContext,
          servername: options.servername,
          lookup: options.lookup,
          rejectUnauthorized: options.checkChain,
        });
      } catch (error) {
        reject(new ConnectionFailure(`connect failed: ${describe(error as Error)}`));
        return;
      }
      const fail = (failure: ConnectionFailure) => {
        clearTimeout(timer);
        socket.destroy();
        reject(failure);
      };
      const timer = setTimeout(
        () => fail(new ConnectionFailure(`connect timed out after ${options.timeoutMs} ms`)),
        options.timeoutMs,
      );
      socket.once('error', (error) => fail(new ConnectionFailure(`connect failed: ${describe(error)}`)));
      socket.once('secureConnect', () => {
        const presented = socket.getPeerCertificate().raw as Buffer | undefined;
        if (options.pin && !presented) {
          fail(new ConnectionFailure('the server presented no certificate to check the pin against', true));
          return;
        }
        if (options.pin && presented && !pinMatches(options.pin, presented)) {
          const seen = spkiPinOf(presented).toString('base64');
          fail(new ConnectionFailure(`the server's public key (SHA-256 ${seen}) does not match the pin`, true));
          return;
        }
        clearTimeout(timer);
        socket.removeAllListeners('error');
        socket.setNoDelay(true).setKeepAlive(true, 60_000);
        resolve(new SyslogTlsConnection(socket, Date.now() - started, options.timeoutMs));
      });
    });
  }

  /** False once the receiver closed or reset it, as far as Node or the kernel knows. */
  async usable(): Promise<boolean> {
    if (this.peerClosed || this.socket.destroyed || !this.socket.writable) return false;
    return (await sendQueueOf(this.socket)).state !== 'closed';
  }

  /** Writes the frames and resolves once the receiver has them (see the class comment); rejects otherwise. */
  async send(frames: Buffer): Promise<void> {
    const deadline = Date.now() + this.timeoutMs;
    await this.written(frames, deadline);
    await this.acknowledged(deadline);
    if (!this.confirmedOnce) {
      await this.survivesProbation(deadline);
      this.confirmedOnce = true;
    }
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** Ends the connection cleanly (TLS close_notify, FIN), destroying it if the receiver does not answer. */
  async close(): Promise<void> {
    if (this.socket.destroyed) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.socket.destroy(), this.timeoutMs);
      this.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.socket.end();
    });
  }

  private written(frames: Buffer, deadline: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new ConnectionFailure(`write timed out after ${this.timeoutMs} ms`)),
        deadline - Date.now(),
      );
      this.socket.write(frames, (error) => {
        clearTimeout(timer);
        if (error) reject(new ConnectionFailure(`write failed: ${describe(error)}`));
        else resolve();
      });
    });
  }

  private async acknowledged(deadline: number): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      await this.pause(ACK_POLL_MS[Math.min(attempt, ACK_POLL_MS.length - 1)]!);
      const queue = await sendQueueOf(this.socket);
      if (queue.state === 'closed' || this.peerClosed) {
        throw new ConnectionFailure('the receiver closed the connection before acknowledging the batch');
      }
      if (queue.state === 'unknown' || queue.unacknowledged === 0) return;
      if (Date.now() >= deadline) {
        throw new ConnectionFailure(
          `the receiver did not acknowledge ${queue.unacknowledged} bytes within ${this.timeoutMs} ms`,
        );
      }
    }
  }

  /**
   * Twice the handshake's duration, and at least PROBATION_FLOOR_MS: the handshake took two round trips and
   * the receiver's checks; its refusal takes one trip back.
   */
  private async survivesProbation(deadline: number): Promise<void> {
    const probationMs = Math.min(
      Math.max(2 * this.handshakeMs, PROBATION_FLOOR_MS),
      Math.max(deadline - Date.now(), 0),
    );
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.socket.off('close', done).off('end', done);
        resolve();
      };
      const timer = setTimeout(done, probationMs);
      this.socket.once('close', done).once('end', done);
    });
    if (this.peerClosed || (await sendQueueOf(this.socket)).state === 'closed') {
      throw new ConnectionFailure(
        'the receiver closed the connection right after the first batch (does it refuse this client?)',
      );
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => (ms === 0 ? setImmediate(resolve) : setTimeout(resolve, ms)));
  }
}

/** A network or TLS error as an operator reads it: its code and message, which never hold key material. */
function describe(error: Error & { code?: string }): string {
  return error.code && !error.message.includes(error.code) ? `${error.code} ${error.message}` : error.message;
}
