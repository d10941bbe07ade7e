import { Injectable } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';
import { SocketGateway } from '../live/index.js';

/** `stepguard_live_sockets`: the socket.io connections this node holds (sum over the api nodes for the whole). */
@Injectable()
export class LiveSocketsGauge {
  constructor(registry: Registry, gateway: SocketGateway) {
    const gauge: Gauge = new Gauge({
      name: 'stepguard_live_sockets',
      help: 'Live socket.io connections held by this api node',
      registers: [registry],
      collect: () => gauge.set(gateway.localSocketCount()),
    });
  }
}
