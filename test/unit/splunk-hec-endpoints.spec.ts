import { describe, expect, it } from '@jest/globals';
import { hecEndpoints } from '../../src/audit/stream/transports/splunk-hec.transport.js';

describe('hecEndpoints', () => {
  it.each([
    ['https://splunk.example:8088', '/services/collector/event', '/services/collector/ack'],
    ['https://splunk.example:8088/', '/services/collector/event', '/services/collector/ack'],
    ['https://splunk.example:8088/services/collector', '/services/collector/event', '/services/collector/ack'],
    ['https://splunk.example:8088/services/collector/event', '/services/collector/event', '/services/collector/ack'],
    ['https://proxy.example/splunk/', '/splunk/services/collector/event', '/splunk/services/collector/ack'],
    [
      'https://proxy.example/splunk/services/collector/event/',
      '/splunk/services/collector/event',
      '/splunk/services/collector/ack',
    ],
  ])('%s: events to %s, ack queries to %s', (url, event, ack) => {
    const endpoints = hecEndpoints(new URL(url));
    expect([endpoints.event.pathname, endpoints.ack.pathname]).toEqual([event, ack]);
    expect(endpoints.event.host).toBe(new URL(url).host);
  });

  it('keeps the query of the event URL (HEC reads some settings there) but not on ack queries', () => {
    const endpoints = hecEndpoints(
      new URL('https://splunk.example:8088/services/collector?auto_extract_timestamp=true#x'),
    );
    expect(endpoints.event.href).toBe(
      'https://splunk.example:8088/services/collector/event?auto_extract_timestamp=true',
    );
    expect(endpoints.ack.href).toBe('https://splunk.example:8088/services/collector/ack');
  });
});
